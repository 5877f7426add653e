import '../support/quiet-sdk-warning';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import {
  captureOutput,
  consume,
  type Outgoing,
  sendAll,
  stringAttributes,
} from '../support/reliability';
import { seedGroup } from '../support/seed';
import { type QueueRef, takeAll } from '../support/sqs-driver';
import { useTestStack } from '../support/use-test-stack';

// A patient whose name and a task title are unique canary strings; every log line the real
// handlers write while applying and rejecting updates that carry them is captured, and none may
// contain them. Nor may a DLQ message's rejection-detail.

const NAME = 'Zyxwanda Qorvath-Canary';
const TITLE = 'Canary title 7f3c9e: chemo follow-up for Zyxwanda';
const CANARIES = [NAME, TITLE, 'Zyxwanda', '7f3c9e'];
const PATIENT = 'p-canary';

const testStack = useTestStack({ quiet: false });
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
  // Everything the handlers can log, at the most verbose level, metrics included.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  await seedGroup(stack, 'g-canary', 'Oncology follow-up');
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.PatientsTable,
      Item: { patientKey: PATIENT, data: { patient: { firstName: 'Zyxwanda', lastName: NAME } } },
    }),
  );
});

describe('PHI canary', () => {
  it('writes no log line and no rejection detail that contains the canary strings', async () => {
    const task = createTaskPayload({
      patientKey: PATIENT,
      createdByKey: 'staff-1',
      title: TITLE,
      tag: NAME,
      labels: [NAME],
    });
    const taskMessages: Outgoing[] = [
      // Applied: the task with the canary title, tag and label.
      { body: task, metadata: { updateId: 'c-task' } },
      // Redelivered: a no-op.
      { body: task, metadata: { updateId: 'c-task' } },
      // Schema: a huge canary title.
      {
        body: {
          ...task,
          integration_payload: { ...task.integration_payload, title: TITLE.repeat(100) },
        },
        metadata: { updateId: 'c-huge-title' },
      },
      // Schema: canary as a wrong type, in an enum and as an unknown field's name and value.
      {
        body: {
          ...task,
          [NAME]: TITLE,
          integration_payload: { ...task.integration_payload, status: NAME, title: { name: NAME } },
        },
        metadata: { updateId: 'c-schema' },
      },
      // Invalid JSON quoting the canary.
      { body: `{"integration_payload": {"title": "${TITLE}"`, metadata: { updateId: 'c-json' } },
      // Unknown patient whose key is the canary name.
      {
        body: createTaskPayload({ patientKey: NAME, createdByKey: 'staff-1', title: TITLE }),
        metadata: { updateId: 'c-unknown-patient' },
      },
      // Invalid attributes next to a canary body.
      {
        body: task,
        attributes: { 'computed-at': { DataType: 'String', StringValue: NAME } },
        metadata: { updateId: 'c-attributes' },
      },
      // A group update on the task queue.
      { body: ensurePatientInGroup(PATIENT, 'g-canary'), metadata: { updateId: 'c-wrong-queue' } },
    ];
    const groupMessages: Outgoing[] = [
      { body: ensurePatientInGroup(PATIENT, 'g-canary'), metadata: { updateId: 'c-group' } },
      { body: ensurePatientInGroup(NAME, 'g-canary'), metadata: { updateId: 'c-group-unknown' } },
      // (Group ids are identifiers and are logged by design, so the canary is not put in one.)
      {
        body: ensurePatientInGroup(PATIENT, 'g-missing'),
        metadata: { updateId: 'c-group-no-group' },
      },
      {
        body: {
          ...ensurePatientInGroup(PATIENT, 'g-canary'),
          integration_payload: {
            ...ensurePatientInGroup(PATIENT, 'g-canary').integration_payload,
            members: { mode: 'appendOrRemove', entries: [{ uuid: PATIENT, name: NAME }] },
          },
        },
        metadata: { updateId: 'c-group-schema' },
      },
      { body: task, metadata: { updateId: 'c-task-on-group' } },
    ];
    const taskQueue = stack.queues.TaskUpdatesQueue as QueueRef;
    const groupQueue = stack.queues.GroupUpdatesQueue as QueueRef;
    await sendAll(stack.sqs, taskQueue, taskMessages, 1);
    await sendAll(stack.sqs, groupQueue, groupMessages, 1);

    const output = captureOutput();
    let lines: string[];
    try {
      await consume(stack.sqs, taskQueue, taskHandler, { concurrency: 1, batchSize: 3 });
      await consume(stack.sqs, groupQueue, groupHandler, { concurrency: 1, batchSize: 3 });
    } finally {
      lines = output.lines;
      output.restore();
    }
    const dead = [
      ...(await takeAll(stack.sqs, stack.queues.TaskUpdatesDeadLetterQueue as QueueRef)),
      ...(await takeAll(stack.sqs, stack.queues.GroupUpdatesDeadLetterQueue as QueueRef)),
    ].map(stringAttributes);

    // The capture works: one outcome line per record, and the metrics.
    const outcomeLines = lines.filter((l) => l.includes('"update record"'));
    expect(outcomeLines).toHaveLength(taskMessages.length + groupMessages.length);
    expect(lines.some((l) => l.includes('"UpdateRecords"'))).toBe(true);
    expect(outcomeLines.join('\n')).toContain('c-task');
    // And the rejections happened.
    expect(dead.map((a) => a['update-id']).sort()).toEqual(
      [
        'c-attributes',
        'c-group-no-group',
        'c-group-schema',
        'c-group-unknown',
        'c-huge-title',
        'c-json',
        'c-schema',
        'c-task-on-group',
        'c-unknown-patient',
        'c-wrong-queue',
      ].sort(),
    );

    for (const canary of CANARIES) {
      expect(lines.filter((line) => line.includes(canary))).toEqual([]);
      expect(dead.filter((a) => a['rejection-detail']?.includes(canary))).toEqual([]);
    }
  });
});
