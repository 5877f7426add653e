import {
  CreateTaskUpdateSchema,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  GroupMembershipUpdateSchema,
  MAX_GROUP_ENTRIES,
  UPDATE_SCHEMA_BY_TYPE,
  UpdateSchema,
} from '../../../lib';

const GROUP = '00000000-0000-0000-0000-000000000000';

function groupMessage(): Record<string, unknown> & {
  integration_payload: Record<string, unknown> & { members: Record<string, unknown> };
} {
  return JSON.parse(JSON.stringify(ensurePatientInGroup('p1', GROUP)));
}

function taskMessage() {
  return {
    integration_type: 'Task',
    integration_source: 'SDK',
    handling_options: { respond_async: true },
    patient_identifier: { identifier_type: 'key', identifier: { key: 'p1' } },
    integration_payload: {
      creator: { identifier_type: 'key', identifier: { key: 's1' } },
      status: 'OPEN',
    } as Record<string, unknown>,
  } as Record<string, unknown> & { integration_payload: Record<string, unknown> };
}

function issuePaths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) {
  return (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
}

describe('UpdateSchema: group membership', () => {
  it('accepts what the helpers build', () => {
    expect(UpdateSchema.safeParse(ensurePatientInGroup('p1', GROUP)).success).toBe(true);
    expect(UpdateSchema.safeParse(ensurePatientNotInGroup('p1', GROUP)).success).toBe(true);
  });

  it('accepts the older kit group_type "person" on input', () => {
    const message = groupMessage();
    message.integration_payload.group_type = 'person';

    const result = GroupMembershipUpdateSchema.safeParse(message);

    expect(result.success).toBe(true);
  });

  it('refuses any other group_type', () => {
    const message = groupMessage();
    message.integration_payload.group_type = 'staffgroup';

    expect(issuePaths(UpdateSchema.safeParse(message))).toEqual(['integration_payload.group_type']);
  });

  it('accepts several entries, active and inactive, in one message', () => {
    const message = groupMessage();
    message.integration_payload.members.entries = [
      { uuid: 'p1' },
      { uuid: 'p2', inactive: true },
      { uuid: 'p3', inactive: false },
    ];

    const result = UpdateSchema.safeParse(message);

    expect(result.success).toBe(true);
  });

  it(`accepts ${MAX_GROUP_ENTRIES} entries and refuses one more`, () => {
    const atMost = groupMessage();
    atMost.integration_payload.members.entries = Array.from(
      { length: MAX_GROUP_ENTRIES },
      (_, i) => ({
        uuid: `p${i}`,
      }),
    );
    const tooMany = groupMessage();
    tooMany.integration_payload.members.entries = Array.from(
      { length: MAX_GROUP_ENTRIES + 1 },
      (_, i) => ({ uuid: `p${i}` }),
    );

    expect(UpdateSchema.safeParse(atMost).success).toBe(true);
    expect(issuePaths(UpdateSchema.safeParse(tooMany))).toEqual([
      'integration_payload.members.entries',
    ]);
  });

  it('refuses an empty entry list', () => {
    const message = groupMessage();
    message.integration_payload.members.entries = [];

    expect(issuePaths(UpdateSchema.safeParse(message))).toEqual([
      'integration_payload.members.entries',
    ]);
  });

  it.each(['append', 'remove', 'replace', ''])('refuses mode %j', (mode) => {
    const message = groupMessage();
    message.integration_payload.members.mode = mode;

    const result = UpdateSchema.safeParse(message);

    expect(issuePaths(result)).toEqual(['integration_payload.members.mode']);
    expect(result.error?.issues[0]?.message).toBe('must be "appendOrRemove"');
  });

  it('refuses a non-boolean inactive', () => {
    const message = groupMessage();
    message.integration_payload.members.entries = [{ uuid: 'p1', inactive: 'yes' }];

    expect(issuePaths(UpdateSchema.safeParse(message))).toEqual([
      'integration_payload.members.entries.0.inactive',
    ]);
  });
});

describe('UpdateSchema: strict objects refuse unknown keys', () => {
  it.each([
    [
      'the envelope',
      (m: ReturnType<typeof groupMessage>) => Object.assign(m, { patient: 'p1' }),
      '',
    ],
    [
      'the group payload',
      (m: ReturnType<typeof groupMessage>) => Object.assign(m.integration_payload, { name: 'x' }),
      'integration_payload',
    ],
    [
      'members',
      (m: ReturnType<typeof groupMessage>) =>
        Object.assign(m.integration_payload.members, { extra: 1 }),
      'integration_payload.members',
    ],
    [
      'an entry',
      (m: ReturnType<typeof groupMessage>) => {
        m.integration_payload.members.entries = [{ uuid: 'p1', since: '2024-01-01' }];
      },
      'integration_payload.members.entries.0',
    ],
    [
      'handling_options',
      (m: ReturnType<typeof groupMessage>) => {
        m.handling_options = { respond_async: true, retries: 3 };
      },
      'handling_options',
    ],
  ])('in %s', (_, mutate, path) => {
    const message = groupMessage();
    mutate(message);

    const result = UpdateSchema.safeParse(message);

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(issuePaths(result)).toEqual([path]);
  });

  it.each([
    ['the task payload', 'integration_payload'],
    ['the creator identifier', 'integration_payload.creator'],
    ['the patient identifier', 'patient_identifier.identifier'],
  ])('in %s', (_, path) => {
    const message = taskMessage();
    const target = path
      .split('.')
      .reduce<Record<string, unknown>>((obj, key) => obj[key] as Record<string, unknown>, message);
    target.unexpected = true;

    const result = UpdateSchema.safeParse(message);

    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(issuePaths(result)).toEqual([path]);
  });
});

describe('UpdateSchema: tasks and the envelope', () => {
  it('accepts the minimal task (creator and status only)', () => {
    expect(CreateTaskUpdateSchema.safeParse(taskMessage()).success).toBe(true);
  });

  it.each([
    ['title', ''],
    ['tag', ''],
    ['labels', []],
    ['team_identifier', ''],
  ])('refuses an empty %s sent by another producer', (key, value) => {
    const message = taskMessage();
    message.integration_payload[key] = value;

    expect(new Set(issuePaths(UpdateSchema.safeParse(message)))).toEqual(
      new Set([`integration_payload.${key}`]),
    );
  });

  it('refuses a task without status (the helper always writes it)', () => {
    const message = taskMessage();
    delete message.integration_payload.status;

    expect(issuePaths(UpdateSchema.safeParse(message))).toEqual(['integration_payload.status']);
  });

  it.each([
    ['integration_source', ''],
    ['integration_type', 'Note'],
  ])('refuses %s %j', (key, value) => {
    const message = taskMessage();
    message[key] = value;

    expect(UpdateSchema.safeParse(message).success).toBe(false);
  });

  it('refuses a group message on the task schema and the reverse', () => {
    expect(UPDATE_SCHEMA_BY_TYPE.Task.safeParse(groupMessage()).success).toBe(false);
    expect(UPDATE_SCHEMA_BY_TYPE.Group.safeParse(taskMessage()).success).toBe(false);
  });
});
