import {
  createTaskPayload,
  ensurePatientInGroup,
  KitDateTimeSchema,
  UpdateSchema,
  updateTaskPayload,
} from '../../../lib';
import { describeProblems, problemsFromZod } from '../../../lib/validation-error';

/** What the appliers would report for a message: every problem, as `field: rule`. */
function problemsOf(message: unknown): string {
  const parsed = UpdateSchema.safeParse(message);
  if (parsed.success) return '(accepted)';
  return describeProblems(problemsFromZod(parsed.error));
}

/** A valid message, copied so a test can break it the way another producer might. */
function plain<T>(message: T): T {
  return JSON.parse(JSON.stringify(message));
}

describe('KitDateTimeSchema: the year', () => {
  it('refuses year 0000, which Python cannot represent, and accepts year 0001', () => {
    const zero = KitDateTimeSchema.safeParse('0000-01-01T00:00:00');
    const one = KitDateTimeSchema.safeParse('0001-01-01T00:00:00');

    expect(zero.success).toBe(false);
    expect(zero.error?.issues[0]?.message).toBe(
      'must be a real datetime formatted YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or ±hh:mm',
    );
    expect(one.success).toBe(true);
  });

  it('refuses year 0000 in a task message read off the queue', () => {
    const message = plain(createTaskPayload({ patientKey: 'p1', createdByKey: 's1' }));
    Object.assign(message.integration_payload, { due: '0000-12-31T09:00:00' });

    expect(problemsOf(message)).toBe(
      'integration_payload.due: must be a real datetime formatted YYYY-MM-DDThh:mm:ss, optionally with .f to .ffffff and Z or ±hh:mm',
    );
  });
});

describe('label names', () => {
  it.each([
    [['  '], 'integration_payload.labels[0]: must not be blank'],
    [['Urgent', '\t\n'], 'integration_payload.labels[1]: must not be blank'],
    [[5], 'integration_payload.labels[0]: must be a string'],
    [[''], 'integration_payload.labels[0]: must not be empty'],
  ])('a Task message with labels %j is refused: %s', (labels, expected) => {
    const message = plain(createTaskPayload({ patientKey: 'p1', createdByKey: 's1' }));
    Object.assign(message.integration_payload, { labels });

    expect(problemsOf(message)).toBe(expected);
  });

  it.each([
    ['labels_added', ['  '], 'integration_payload.labels_added[0]: must not be blank'],
    ['labels_removed', ['ok', ' '], 'integration_payload.labels_removed[1]: must not be blank'],
    ['labels_added', [5], 'integration_payload.labels_added[0]: must be a string'],
    ['labels_removed', [5], 'integration_payload.labels_removed[0]: must be a string'],
  ])('a TaskUpdate message with %s %j is refused', (field, labels, expected) => {
    const message = plain(
      updateTaskPayload({ patientKey: 'p1', dedupeKey: 'd1', status: 'CLOSED' }),
    );
    Object.assign(message.integration_payload, { [field]: labels });

    expect(problemsOf(message)).toBe(expected);
  });

  it('keeps accepting a label with spaces around a name', () => {
    const message = plain(createTaskPayload({ patientKey: 'p1', createdByKey: 's1' }));
    Object.assign(message.integration_payload, { labels: [' Urgent '] });

    expect(problemsOf(message)).toBe('(accepted)');
  });
});

describe('Group entries naming one patient twice', () => {
  // The kit's consumer applies entries in order, so a repeated patient is not a contradiction:
  // the last entry wins (the applier's `lastIndexByPatient`). The schema keeps accepting it.
  it('accepts a uuid listed twice', () => {
    const message = plain(ensurePatientInGroup('a', 'g1'));
    message.integration_payload.members.entries = [
      { uuid: 'a' },
      { uuid: 'b' },
      { uuid: 'a', inactive: true },
    ];

    expect(problemsOf(message)).toBe('(accepted)');
  });
});
