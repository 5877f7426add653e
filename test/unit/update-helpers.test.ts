import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
  taskCommentPayload,
  toPythonJson,
  UpdateValidationError,
  updateTaskPayload,
} from '../../lib';
import { helperLoggableMessage } from '../../lib/validation-error';
import { refusedFields, validationErrorOf } from '../support/update-validation';

const GROUP = '00000000-0000-0000-0000-000000000000';

describe('ensurePatientInGroup / ensurePatientNotInGroup', () => {
  it('builds the kit JSON for an active entry', () => {
    expect(JSON.stringify(ensurePatientInGroup('p1', GROUP))).toBe(
      `{"integration_type":"Group","integration_source":"SDK","handling_options":{"respond_async":true},"integration_payload":{"externally_exposable_id":"${GROUP}","group_type":"patientgroup","members":{"mode":"appendOrRemove","entries":[{"uuid":"p1"}]}}}`,
    );
  });

  it('marks the entry inactive for removal', () => {
    expect(ensurePatientNotInGroup('p1', GROUP).integration_payload.members.entries).toEqual([
      { uuid: 'p1', inactive: true },
    ]);
  });

  it('names the argument when a key is empty', () => {
    expect(() => ensurePatientInGroup('', GROUP)).toThrow(/patientKey: must not be empty/);
    expect(() => ensurePatientInGroup('p1', '  ')).toThrow(/groupId: must not be blank/);
  });
});

describe('createTaskPayload', () => {
  it('writes optional keys in the kit order and leaves empty ones out', () => {
    const message = createTaskPayload({
      patientKey: 'p1',
      createdByKey: 's1',
      assigneeIdentifier: 's2',
      labels: ['Urgent'],
      tag: '',
      due: '2024-02-03T09:00:00',
      created: '2024-01-31T09:00:00',
      teamIdentifier: 't1',
      title: 'Call back',
    });
    expect(Object.keys(message.integration_payload)).toEqual([
      'creator',
      'status',
      'title',
      'team_identifier',
      'created',
      'due',
      'labels',
      'assignee',
    ]);
    expect(message.integration_payload.status).toBe('OPEN');
  });

  it('equals Python json.dumps with its default separators and ensure_ascii', () => {
    const message = createTaskPayload({
      patientKey: 'p1',
      createdByKey: 's1',
      title: 'Rappel: café 😀',
    });
    expect(toPythonJson(message)).toBe(
      '{"integration_type": "Task", "integration_source": "SDK", "handling_options": {"respond_async": true}, "patient_identifier": {"identifier_type": "key", "identifier": {"key": "p1"}}, "integration_payload": {"creator": {"identifier_type": "key", "identifier": {"key": "s1"}}, "status": "OPEN", "title": "Rappel: caf\\u00e9 \\ud83d\\ude00"}}',
    );
  });

  it.each([
    [{ status: 'DONE' }, 'status'],
    [{ due: '2024-02-30T09:00:00' }, 'due'],
    [{ created: '2024-01-31 09:00:00' }, 'created'],
    [{ labels: ['ok', ''] }, 'labels[1]'],
    [{ createdByKey: '' }, 'createdByKey'],
  ])('rejects %j naming %s', (override, field) => {
    const input = { patientKey: 'p1', createdByKey: 's1', ...override } as Parameters<
      typeof createTaskPayload
    >[0];
    let caught: unknown;
    try {
      createTaskPayload(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UpdateValidationError);
    expect((caught as UpdateValidationError).fields).toContain(field);
    expect((caught as Error).message).toContain(`${field}:`);
  });
});

describe('createTaskPayload: the documented wire format', () => {
  const REQUIRED = { patientKey: 'p1', createdByKey: 's1' };

  it('sends only creator and status when every optional value is empty', () => {
    const message = createTaskPayload({
      ...REQUIRED,
      title: '',
      teamIdentifier: '',
      created: '',
      due: '',
      tag: '',
      labels: [],
      assigneeIdentifier: '',
    });

    expect(Object.keys(message.integration_payload)).toEqual(['creator', 'status']);
  });

  it.each([
    ['title', 'title'],
    ['teamIdentifier', 'team_identifier'],
    ['created', 'created'],
    ['due', 'due'],
    ['tag', 'tag'],
    ['labels', 'labels'],
    ['assigneeIdentifier', 'assignee'],
  ])('leaves %s out when it is null or undefined', (argument, wireKey) => {
    const withNull = { ...REQUIRED, [argument]: null } as unknown as Parameters<
      typeof createTaskPayload
    >[0];

    const fromNull = createTaskPayload(withNull);
    const fromUndefined = createTaskPayload({ ...REQUIRED, [argument]: undefined });

    expect(fromNull.integration_payload).not.toHaveProperty(wireKey);
    expect(fromUndefined.integration_payload).not.toHaveProperty(wireKey);
  });

  it('writes every key in the kit order, with dedupe_key last', () => {
    const message = createTaskPayload({
      dedupeKey: 'd1',
      labels: ['Urgent', 'Follow-up'],
      assigneeIdentifier: 's2',
      tag: 'reminder',
      due: '2024-02-03T09:00:00',
      created: '2024-01-31T09:00:00',
      teamIdentifier: 't1',
      title: 'Call back',
      status: 'COMPLETED',
      ...REQUIRED,
    });

    expect(Object.keys(message)).toEqual([
      'integration_type',
      'integration_source',
      'handling_options',
      'patient_identifier',
      'integration_payload',
    ]);
    expect(Object.keys(message.integration_payload)).toEqual([
      'creator',
      'status',
      'title',
      'team_identifier',
      'created',
      'due',
      'tag',
      'labels',
      'assignee',
      'dedupe_key',
    ]);
  });

  it('nests creator and assignee as key identifiers and keeps team_identifier flat', () => {
    const message = createTaskPayload({
      ...REQUIRED,
      assigneeIdentifier: 's2',
      teamIdentifier: 't1',
    });

    expect(message.integration_payload.creator).toEqual({
      identifier_type: 'key',
      identifier: { key: 's1' },
    });
    expect(message.integration_payload.assignee).toEqual({
      identifier_type: 'key',
      identifier: { key: 's2' },
    });
    expect(message.integration_payload.team_identifier).toBe('t1');
    expect(message.patient_identifier).toEqual({
      identifier_type: 'key',
      identifier: { key: 'p1' },
    });
  });

  it.each(['OPEN', 'COMPLETED', 'CLOSED'] as const)('accepts status %s', (status) => {
    const message = createTaskPayload({ ...REQUIRED, status });

    expect(message.integration_payload.status).toBe(status);
  });

  it('keeps unicode text as given (JSON.stringify) and escapes it like Python (toPythonJson)', () => {
    const title = 'Rappel : réévaluer 😀 — 東京';

    const message = createTaskPayload({ ...REQUIRED, title, labels: ['Ürgent'] });

    expect(JSON.parse(JSON.stringify(message)).integration_payload.title).toBe(title);
    expect(JSON.stringify(message)).toContain('"title":"Rappel : réévaluer 😀 — 東京"');
    expect(toPythonJson(message)).toContain(
      '"title": "Rappel : r\\u00e9\\u00e9valuer \\ud83d\\ude00 \\u2014 \\u6771\\u4eac"',
    );
    expect(toPythonJson(message)).toContain('"labels": ["\\u00dcrgent"]');
  });

  it('copies the labels: changing the input list later does not change the message', () => {
    const labels = ['Urgent'];

    const message = createTaskPayload({ ...REQUIRED, labels });
    labels.push('Later');

    expect(message.integration_payload.labels).toEqual(['Urgent']);
  });

  it('sends an empty dedupe key to validation instead of dropping it', () => {
    expect(() => createTaskPayload({ ...REQUIRED, dedupeKey: '' })).toThrow(
      /dedupeKey: must not be empty/,
    );
  });
});

describe('the helpers: every validation error names the argument', () => {
  const LONG_KEY = 'k'.repeat(257);
  const LONG_TEXT = 't'.repeat(2001);

  it.each([
    ['', GROUP, 'patientKey', /must not be empty/],
    ['   ', GROUP, 'patientKey', /must not be blank/],
    [LONG_KEY, GROUP, 'patientKey', /at most 256/],
    [42, GROUP, 'patientKey', /must be a string/],
    ['p1', '', 'groupId', /must not be empty/],
    ['p1', LONG_KEY, 'groupId', /at most 256/],
    ['p1', undefined, 'groupId', /must be a string/],
  ])('group update (%j, %j) is refused naming %s', (patientKey, groupId, field, message) => {
    for (const helper of [ensurePatientInGroup, ensurePatientNotInGroup]) {
      const build = () => helper(patientKey as string, groupId as string);

      expect(new Set(refusedFields(build))).toEqual(new Set([field]));
      expect(build).toThrow(message);
    }
  });

  it.each([
    [{ patientKey: '' }, 'patientKey', /must not be empty/],
    [{ patientKey: LONG_KEY }, 'patientKey', /at most 256/],
    [{ createdByKey: ' ' }, 'createdByKey', /must not be blank/],
    [{ createdByKey: undefined }, 'createdByKey', /must be a string/],
    [{ status: 'open' }, 'status', /must be one of OPEN, COMPLETED, CLOSED/],
    [{ title: LONG_TEXT }, 'title', /at most 2000/],
    [{ assigneeIdentifier: '  ' }, 'assigneeIdentifier', /must not be blank/],
    [{ teamIdentifier: LONG_KEY }, 'teamIdentifier', /at most 256/],
    [{ due: '2024-02-03' }, 'due', /YYYY-MM-DDThh:mm:ss/],
    [{ due: '2024-02-30T09:00:00Z' }, 'due', /YYYY-MM-DDThh:mm:ss/],
    [{ due: '2024-02-03T09:00:00+24:00' }, 'due', /YYYY-MM-DDThh:mm:ss/],
    [{ due: '2024-02-03 09:00:00' }, 'due', /YYYY-MM-DDThh:mm:ss/],
    [{ due: '2024-02-03T24:00:00' }, 'due', /YYYY-MM-DDThh:mm:ss/],
    [{ created: '2024-02-03T09:00:00.1234567' }, 'created', /YYYY-MM-DDThh:mm:ss/],
    [{ created: 'three days before scheduled appointment' }, 'created', /YYYY-MM-DDThh:mm:ss/],
    [{ tag: LONG_TEXT }, 'tag', /at most 2000/],
    [{ labels: 'Urgent' }, 'labels', /must be a list of label names/],
    [{ labels: ['x'.repeat(201)] }, 'labels[0]', /at most 200/],
    [{ labels: ['  '] }, 'labels[0]', /labels\[0\]: must not be blank/],
    [{ labels: ['Urgent', '\t'] }, 'labels[1]', /labels\[1\]: must not be blank/],
    [{ labels: [5] }, 'labels[0]', /labels\[0\]: must be a string/],
    [{ due: '0000-01-01T00:00:00' }, 'due', /due: must be a real datetime/],
    [{ created: '0000-06-15T12:00:00' }, 'created', /created: must be a real datetime/],
    [{ labels: Array.from({ length: 51 }, (_, i) => `l${i}`) }, 'labels', /at most 50/],
    [{ dedupeKey: LONG_KEY }, 'dedupeKey', /at most 256/],
  ])('task update %j is refused naming %s', (override, field, message) => {
    const input = { patientKey: 'p1', createdByKey: 's1', ...override } as Parameters<
      typeof createTaskPayload
    >[0];
    const build = () => createTaskPayload(input);

    expect(refusedFields(build)).toContain(field);
    expect(build).toThrow(message);
  });

  it('reports every problem at once and never quotes the value', () => {
    const secret = 'Jane Doe 1970-01-01';

    let caught: unknown;
    try {
      createTaskPayload({ patientKey: '', createdByKey: '', due: secret });
    } catch (error) {
      caught = error;
    }

    expect(new Set((caught as UpdateValidationError).fields)).toEqual(
      new Set(['patientKey', 'createdByKey', 'due']),
    );
    expect((caught as Error).message).not.toContain(secret);
  });
});

describe('helper input from plain JavaScript', () => {
  it('refuses a non-string title rather than dropping it', () => {
    const input = { patientKey: 'p1', createdByKey: 's1', title: 7 } as unknown as Parameters<
      typeof createTaskPayload
    >[0];
    expect(() => createTaskPayload(input)).toThrow(/title: must be a string/);
  });

  it('reports one problem for an empty key', () => {
    let caught: unknown;
    try {
      ensurePatientInGroup('', GROUP);
    } catch (error) {
      caught = error;
    }
    expect((caught as UpdateValidationError).problems).toEqual([
      { field: 'patientKey', message: 'must not be empty' },
    ]);
  });
});

describe('helper input keys the helper does not know (plain JavaScript)', () => {
  it.each([
    [
      'createTaskPayload',
      () => createTaskPayload({ patientKey: 'p1', createdByKey: 's1', dueDate: 'x' } as never),
      'task update',
      'dueDate',
    ],
    [
      'updateTaskPayload',
      () =>
        updateTaskPayload({
          patientKey: 'p1',
          dedupeKey: 'd1',
          status: 'CLOSED',
          labels: ['x'],
        } as never),
      'task lifecycle update',
      'labels',
    ],
    [
      'taskCommentPayload',
      () =>
        taskCommentPayload({
          patientKey: 'p1',
          taskId: 't1',
          createdByKey: 's1',
          body: 'b',
          author: 's2',
        } as never),
      'task comment',
      'author',
    ],
  ])('%s refuses an unknown key, naming it and the known ones', (_, build, what, key) => {
    const error = validationErrorOf(build);

    expect(error.fields).toEqual([key]);
    expect(error.message).toMatch(
      new RegExp(`^Invalid ${what}: ${key}: is not an argument \\(expected patientKey, `),
    );
  });

  it('names every unknown key, even one holding undefined', () => {
    const input = { patientKey: 'p1', createdByKey: 's1', dueDate: undefined, Title: 'T' };

    const error = validationErrorOf(() => createTaskPayload(input as never));

    expect(error.fields).toEqual(['dueDate', 'Title']);
  });

  it('never quotes the value of an unknown key', () => {
    const error = validationErrorOf(() =>
      createTaskPayload({
        patientKey: 'p1',
        createdByKey: 's1',
        note: 'Jane Doe 1970-01-01',
      } as never),
    );

    expect(error.message).not.toContain('Jane');
  });

  it('gives compute a loggable message that counts the unknown keys and lists the expected ones', () => {
    const input = { patientKey: 'p1', createdByKey: 's1', 'Jane Doe': 1, Title: 'T' };

    const error = validationErrorOf(() => createTaskPayload(input as never));

    // The caller's own message still names them: that is the point of the check.
    expect(error.message).toContain('Jane Doe: is not an argument');
    expect(helperLoggableMessage(error)).toBe(
      'Invalid task update: (arguments): 2 unknown arguments (names withheld, the dry run ' +
        'names them; expected patientKey, createdByKey, status, title, assigneeIdentifier, ' +
        'teamIdentifier, due, created, tag, labels, dedupeKey)',
    );
  });

  it("keeps the message as the loggable one when the helper refuses an argument's value", () => {
    const error = validationErrorOf(() =>
      createTaskPayload({ patientKey: 'p1', createdByKey: 's1', due: 'x' }),
    );

    expect(helperLoggableMessage(error)).toBe(error.message);
  });

  it('accepts every documented argument (the known-key lists match the input types)', () => {
    const task = createTaskPayload({
      patientKey: 'p1',
      createdByKey: 's1',
      status: 'OPEN',
      title: 'T',
      assigneeIdentifier: 's2',
      teamIdentifier: 't1',
      due: '2024-02-03T09:00:00',
      created: '2024-01-31T09:00:00',
      tag: 'tag',
      labels: ['Urgent'],
      dedupeKey: 'd1',
    });
    const update = updateTaskPayload({
      patientKey: 'p1',
      taskId: 't1',
      status: 'CLOSED',
      title: 'T',
      teamIdentifier: 't1',
      due: '2024-02-03T09:00:00',
      addLabels: ['a'],
      removeLabels: ['b'],
      assigneeIdentifier: 's2',
    });
    const comment = taskCommentPayload({
      patientKey: 'p1',
      dedupeKey: 'd1',
      createdByKey: 's1',
      body: 'b',
      created: '2024-01-31T09:00:00',
    });

    expect(Object.keys(task.integration_payload)).toHaveLength(10);
    expect(Object.keys(update.integration_payload)).toHaveLength(8);
    expect(Object.keys(comment.integration_payload)).toHaveLength(4);
  });
});
