import {
  CreateTaskUpdateSchema,
  createTaskPayload,
  KitDateTimeSchema,
  kitDateTimeUtc,
  TaskCommentUpdateSchema,
  taskCommentPayload,
  UpdateSchema,
  UpdateTaskUpdateSchema,
  updateTaskPayload,
} from '../../../lib';
import { taskItemFor } from '../../../lib/apply/apply-task';
import { taskCommentItemFor } from '../../../lib/apply/apply-task-comment';
import { describeProblems, problemsFromZod } from '../../../lib/validation-error';

const RULE =
  'must be a real datetime formatted YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or ±hh:mm';

function problemsOf(message: unknown): string {
  const parsed = UpdateSchema.safeParse(message);
  if (parsed.success) return '(accepted)';
  return describeProblems(problemsFromZod(parsed.error));
}

/** A Task body as read off a queue (plain JSON), with its payload changed. */
function taskBody(payload: Record<string, unknown>): Record<string, unknown> {
  const message = JSON.parse(
    JSON.stringify(createTaskPayload({ patientKey: 'p', createdByKey: 's' })),
  );
  Object.assign(message.integration_payload, payload);
  return message;
}

describe('message datetimes: the forms the kit and JavaScript producers send', () => {
  it.each([
    // The seed's form: no offset, read as UTC.
    ['2024-02-06T09:30:00', '2024-02-06T09:30:00.000000Z'],
    // arrow's isoformat(): offsets, often microseconds.
    ['2024-02-06T09:30:00-05:00', '2024-02-06T14:30:00.000000Z'],
    ['2024-02-06T09:30:00+05:30', '2024-02-06T04:00:00.000000Z'],
    ['2026-12-01T08:20:11.123456+00:00', '2026-12-01T08:20:11.123456Z'],
    ['2024-02-06T09:30:00-00:00', '2024-02-06T09:30:00.000000Z'],
    // JavaScript's toISOString().
    ['2024-02-06T15:00:00.000Z', '2024-02-06T15:00:00.000000Z'],
    ['2024-02-06T15:00:00Z', '2024-02-06T15:00:00.000000Z'],
    // 1 to 6 fractional digits, kept to the microsecond.
    ['2024-02-06T15:00:00.5', '2024-02-06T15:00:00.500000Z'],
    ['2024-02-06T15:00:00.12345-01:00', '2024-02-06T16:00:00.123450Z'],
    // Across a day, a month, a year, a leap day.
    ['2024-02-29T23:30:00-05:00', '2024-03-01T04:30:00.000000Z'],
    ['2024-01-01T01:00:00+05:30', '2023-12-31T19:30:00.000000Z'],
    // Years 1 to 99 stay themselves (Date.UTC would read them as 19xx).
    ['0001-01-01T00:00:00', '0001-01-01T00:00:00.000000Z'],
    ['0099-06-15T12:00:00+01:00', '0099-06-15T11:00:00.000000Z'],
    ['9999-12-31T23:59:59.999999', '9999-12-31T23:59:59.999999Z'],
  ])('accepts %s, instant %s', (value, instant) => {
    expect(KitDateTimeSchema.safeParse(value)).toEqual({ success: true, data: value });
    expect(kitDateTimeUtc(value)).toBe(instant);
  });

  it.each([
    'three days before scheduled appointment',
    '2024-02-30T10:00:00',
    '2023-02-29T10:00:00',
    '2024-04-31T10:00:00',
    '2024-13-01T10:00:00',
    '2024-02-06T24:00:00',
    '2024-02-06T23:60:00',
    '2024-02-06T23:59:60',
    '2024-02-06T09:30:00+24:00',
    '2024-02-06T09:30:00+05:60',
    '2024-02-06T09:30:00+0530',
    '2024-02-06T09:30:00z',
    '2024-02-06T09:30:00.1234567',
    '2024-02-06T09:30:00.',
    '2024-02-06T09:30',
    '2024-02-06',
    '2024-02-06 09:30:00',
    ' 2024-02-06T09:30:00',
    '0000-01-01T00:00:00',
    // Year 0000 or 10000 once in UTC: Python's datetime cannot hold it.
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:30:00-01:00',
    '',
  ])('refuses %j', (value) => {
    const parsed = KitDateTimeSchema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(RULE);
    expect(kitDateTimeUtc(value)).toBeUndefined();
  });

  it('orders instants as strings in time order', () => {
    // Sent order is time order; as sent, string order is not.
    const sent = [
      '2024-02-06T09:30:00-05:00', // 14:30:00 UTC
      '2024-02-06T14:30:00.000001+00:00',
      '2024-02-06T20:00:00.1+05:30', // 14:30:00.1 UTC
      '2024-02-06T14:31:00Z',
    ];
    const instants = sent.map((v) => kitDateTimeUtc(v) as string);
    expect([...sent].sort()).not.toEqual(sent);
    expect([...instants].sort()).toEqual(instants);
    expect(new Set(instants).size).toBe(4);
  });

  it('refuses a bad datetime in every message, naming the field, never quoting it', () => {
    const text = 'three days before scheduled appointment';
    expect(problemsOf(taskBody({ due: text }))).toBe(`integration_payload.due: ${RULE}`);
    expect(problemsOf(taskBody({ created: '2024-02-30T10:00:00' }))).toBe(
      `integration_payload.created: ${RULE}`,
    );
    const update = JSON.parse(
      JSON.stringify(updateTaskPayload({ patientKey: 'p', taskId: 't', status: 'CLOSED' })),
    );
    update.integration_payload.due = text;
    expect(UpdateTaskUpdateSchema.safeParse(update).error?.issues).toEqual([
      expect.objectContaining({ path: ['integration_payload', 'due'], message: RULE }),
    ]);
    const comment = JSON.parse(
      JSON.stringify(
        taskCommentPayload({ patientKey: 'p', taskId: 't', createdByKey: 's', body: 'b' }),
      ),
    );
    comment.integration_payload.created = text;
    expect(TaskCommentUpdateSchema.safeParse(comment).error?.issues).toEqual([
      expect.objectContaining({ path: ['integration_payload', 'created'], message: RULE }),
    ]);
    expect(problemsOf(taskBody({ due: text }))).not.toContain(text);
  });
});

describe('the helpers send datetimes as given, a Date as toISOString()', () => {
  it('keeps every accepted string byte for byte', () => {
    const due = '2024-02-03T09:00:00.123456-05:00';
    const created = '2024-01-31T09:00:00+00:00';
    const task = createTaskPayload({ patientKey: 'p', createdByKey: 's', due, created });
    expect(task.integration_payload).toMatchObject({ due, created });
    expect(JSON.stringify(task)).toContain(`"created":"${created}","due":"${due}"`);
    expect(updateTaskPayload({ patientKey: 'p', taskId: 't', due }).integration_payload.due).toBe(
      due,
    );
    expect(
      taskCommentPayload({ patientKey: 'p', taskId: 't', createdByKey: 's', body: 'b', created })
        .integration_payload.created,
    ).toBe(created);
  });

  it('writes a Date as UTC with milliseconds and Z', () => {
    const at = new Date(Date.UTC(2024, 1, 3, 14, 30, 0, 250));
    expect(
      createTaskPayload({ patientKey: 'p', createdByKey: 's', due: at, created: at })
        .integration_payload,
    ).toMatchObject({ due: '2024-02-03T14:30:00.250Z', created: '2024-02-03T14:30:00.250Z' });
    expect(
      updateTaskPayload({ patientKey: 'p', taskId: 't', due: at }).integration_payload.due,
    ).toBe('2024-02-03T14:30:00.250Z');
    expect(
      taskCommentPayload({
        patientKey: 'p',
        taskId: 't',
        createdByKey: 's',
        body: 'b',
        created: at,
      }).integration_payload.created,
    ).toBe('2024-02-03T14:30:00.250Z');
  });

  it('refuses an invalid Date, or one past year 9999, naming the argument', () => {
    expect(() =>
      createTaskPayload({ patientKey: 'p', createdByKey: 's', due: new Date(Number.NaN) }),
    ).toThrow(/due: must be a valid Date/);
    expect(() =>
      updateTaskPayload({ patientKey: 'p', taskId: 't', due: new Date(Date.UTC(10000, 0, 1)) }),
    ).toThrow(/due: must be a real datetime/);
  });
});

describe('status: null, as the kit sends for status=None', () => {
  it('is read as OPEN', () => {
    const parsed = CreateTaskUpdateSchema.safeParse(taskBody({ status: null }));
    expect(parsed.success).toBe(true);
    expect(parsed.data?.integration_payload.status).toBe('OPEN');
    expect(UpdateSchema.parse(taskBody({ status: null }))).toMatchObject({
      integration_payload: { status: 'OPEN' },
    });
  });

  it.each([['open'], ['DONE'], [''], [0], [false], [{}]])('still refuses status %j', (status) => {
    expect(problemsOf(taskBody({ status }))).toBe(
      'integration_payload.status: must be one of OPEN, COMPLETED, CLOSED',
    );
  });

  it('is not accepted for a TaskUpdate, which names the status it sets', () => {
    const update = JSON.parse(
      JSON.stringify(updateTaskPayload({ patientKey: 'p', taskId: 't', title: 'x' })),
    );
    update.integration_payload.status = null;
    expect(UpdateTaskUpdateSchema.safeParse(update).success).toBe(false);
  });
});

describe('update messages stay strict otherwise', () => {
  it.each([
    [{ dueDate: '2024-02-03T09:00:00' }, 'integration_payload'],
    [{ lables: ['Urgent'] }, 'integration_payload'],
  ])('refuses the misspelt key of %j with its reason', (extra, where) => {
    expect(problemsOf(taskBody(extra))).toBe(
      `${where}: Unrecognized key: "${Object.keys(extra)[0]}"`,
    );
  });

  it('refuses a misspelt envelope key', () => {
    const body = taskBody({});
    body.patient_identifer = body.patient_identifier;
    delete body.patient_identifier;
    expect(problemsOf(body)).toMatch(/patient_identifier: .*; \(message\): Unrecognized key/);
  });
});

describe('the stored shape: as sent, and the UTC instant beside it', () => {
  const meta = { updateId: 'u-1', version: 1_700_000_000_000 };
  const at = new Date('2026-12-01T10:00:00Z');

  it('a task keeps due and created as sent, with dueInstant and createdInstant', () => {
    const item = taskItemFor(
      createTaskPayload({
        patientKey: 'p',
        createdByKey: 's',
        due: '2035-04-07T09:30:00-05:00',
        created: '2026-12-01T08:20:11.123456+00:00',
      }),
      meta,
      at,
    );
    expect(item).toMatchObject({
      due: '2035-04-07T09:30:00-05:00',
      dueInstant: '2035-04-07T14:30:00.000000Z',
      created: '2026-12-01T08:20:11.123456+00:00',
      createdInstant: '2026-12-01T08:20:11.123456Z',
    });
    const bare = taskItemFor(createTaskPayload({ patientKey: 'p', createdByKey: 's' }), meta, at);
    expect(Object.keys(bare)).not.toEqual(expect.arrayContaining(['dueInstant']));
    expect(Object.keys(bare)).not.toEqual(expect.arrayContaining(['createdInstant']));
  });

  it('a comment keeps created as sent, with createdInstant', () => {
    const item = taskCommentItemFor(
      taskCommentPayload({
        patientKey: 'p',
        taskId: 't',
        createdByKey: 's',
        body: 'b',
        created: '2026-12-01T13:50:11.000005+05:30',
      }),
      meta,
      at,
    );
    expect(item).toMatchObject({
      created: '2026-12-01T13:50:11.000005+05:30',
      createdInstant: '2026-12-01T08:20:11.000005Z',
    });
  });
});
