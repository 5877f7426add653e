import '../support/quiet-sdk-warning';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import {
  type ConsumeStats,
  consume,
  type Outgoing,
  queueDepth,
  scanAll,
  seedPatients,
  sendAll,
  size,
  sleep,
  stringAttributes,
} from '../support/reliability';
import { seedGroup } from '../support/seed';
import { takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';

// A stream of updates on both queues is consumed by the driver (the real handlers) while DynamoDB
// Local, file-backed, is killed with SIGKILL and restarted on the same port. At the end every
// valid update's effect is there exactly once, the queues hold nothing (visible or in flight),
// and the DLQs hold exactly the invalid messages, each with its reason.

const VALID_PER_QUEUE = size(100, 2_000);
const INVALID_PER_QUEUE = size(10, 100);
const KILLS = size(1, 3);
/**
 * Redelivery delay for reported failures: the queue visibility timeout (180 s in AWS), scaled down.
 * With maxReceiveCount 5 the queue tolerates an outage of about 5 x this before the redrive policy
 * moves a message to the DLQ; restarting the JVM on 2 busy cores can take well over 10 s.
 */
const RETRY_AFTER_SECONDS = 10;
const TASK_PATIENTS = 10;

const testStack = useTestStack({ fileBacked: true });
let stack: TestStack;

beforeAll(async () => {
  // File-backed so the data survives killing the process.
  stack = testStack();
});

const newStats = (): ConsumeStats => ({
  invocations: 0,
  records: 0,
  failedRecords: 0,
  handlerErrors: 0,
  responses: [],
});

/** Valid updates with an invalid one (schema) every few, interleaved. */
function stream(valid: (i: number) => Outgoing, invalid: (i: number) => Outgoing): Outgoing[] {
  const out: Outgoing[] = [];
  const every = Math.floor(VALID_PER_QUEUE / INVALID_PER_QUEUE);
  for (let i = 0; i < VALID_PER_QUEUE; i++) {
    out.push(valid(i));
    if (i % every === every - 1 && i / every < INVALID_PER_QUEUE)
      out.push(invalid(Math.floor(i / every)));
  }
  return out;
}

describe(`DynamoDB Local killed (SIGKILL) ${KILLS}x mid-stream and restarted`, () => {
  it('applies every valid update once in effect and loses none', async () => {
    const groupQueue = typeQueue(stack, 'Group');
    const taskQueue = typeQueue(stack, 'Task');
    await seedGroup(stack, 'g-crash', 'Crash group');
    const taskPatient = (i: number) => `p-task-${i % TASK_PATIENTS}`;
    await seedPatients(stack.documents, stack.tables.PatientsTable as string, [
      ...Array.from({ length: VALID_PER_QUEUE }, (_, i) => `p-member-${i}`),
      ...Array.from({ length: TASK_PATIENTS }, (_, i) => taskPatient(i)),
    ]);
    const groupMessages = stream(
      (i) => ({
        body: ensurePatientInGroup(`p-member-${i}`, 'g-crash'),
        metadata: { updateId: `gm-${i}`, computedAt: 1_700_000_000_000 + i },
      }),
      (i) => ({
        body: { ...ensurePatientInGroup('p-member-0', 'g-crash'), integration_source: 'CLI' },
        metadata: { updateId: `gx-${i}` },
      }),
    );
    const taskMessages = stream(
      (i) => ({
        body: createTaskPayload({
          patientKey: taskPatient(i),
          createdByKey: 'staff-1',
          title: `Task ${i}`,
          labels: [`Label ${i % 7}`],
        }),
        metadata: { updateId: `tm-${i}`, computedAt: 1_700_000_000_000 + i },
      }),
      (i) => ({ body: '{"integration_type": "Task", ', metadata: { updateId: `tx-${i}` } }),
    );
    await sendAll(stack.sqs, groupQueue, groupMessages);
    await sendAll(stack.sqs, taskQueue, taskMessages);
    const total = groupMessages.length + taskMessages.length;
    const groupStats = newStats();
    const taskStats = newStats();
    const options = { concurrency: 2, batchSize: 10, retryAfterSeconds: RETRY_AFTER_SECONDS };

    const consumers = Promise.all([
      consume(stack.sqs, groupQueue, groupHandler, options, groupStats),
      consume(stack.sqs, taskQueue, taskHandler, options, taskStats),
    ]);
    const kills: { atRecords: number; failuresSeen: boolean }[] = [];
    for (let k = 1; k <= KILLS; k++) {
      const threshold = Math.floor((total * k) / (KILLS + 2));
      while (groupStats.records + taskStats.records < threshold) await sleep(20);
      const failuresBefore = groupStats.failedRecords + taskStats.failedRecords;
      await stack.killDynamoDb();
      // Down until the pollers have met the outage (bounded), then back on the same port.
      for (let i = 0; i < 250; i++) {
        if (groupStats.failedRecords + taskStats.failedRecords > failuresBefore) break;
        await sleep(20);
      }
      kills.push({
        atRecords: groupStats.records + taskStats.records,
        failuresSeen: groupStats.failedRecords + taskStats.failedRecords > failuresBefore,
      });
      await stack.startDynamoDb();
    }
    await consumers;

    // The outages were real: records failed while DynamoDB was down, none crashed the handler.
    expect(kills.map((k) => k.failuresSeen)).toEqual(Array(KILLS).fill(true));
    expect(groupStats.handlerErrors + taskStats.handlerErrors).toBe(0);
    // Nothing left on the queues, visible or in flight.
    expect(await queueDepth(stack.sqs, groupQueue)).toEqual({
      visible: 0,
      inFlight: 0,
      delayed: 0,
    });
    expect(await queueDepth(stack.sqs, taskQueue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    // The DLQs hold exactly the invalid messages, with their reason (none redriven as retried-out).
    const dead = [
      ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Group'))),
      ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Task'))),
    ].map(stringAttributes);
    expect(dead.map((a) => `${a['update-id']}: ${a['rejection-reason']}`).sort()).toEqual(
      [
        ...Array.from({ length: INVALID_PER_QUEUE }, (_, i) => `gx-${i}: schema`),
        ...Array.from({ length: INVALID_PER_QUEUE }, (_, i) => `tx-${i}: invalid-json`),
      ].sort(),
    );
    // Every valid update's effect, exactly once.
    const memberships = await scanAll(stack.documents, stack.tables.MembershipsTable as string);
    expect(memberships.map((m) => `${m.patientKey}/${m.active}/${m.lastUpdateId}`).sort()).toEqual(
      Array.from({ length: VALID_PER_QUEUE }, (_, i) => `p-member-${i}/true/gm-${i}`).sort(),
    );
    const tasks = await scanAll(stack.documents, stack.tables.TasksTable as string);
    expect(tasks.map((t) => `${t.patientKey}/${t.taskId}`).sort()).toEqual(
      Array.from({ length: VALID_PER_QUEUE }, (_, i) => `${taskPatient(i)}/update:tm-${i}`).sort(),
    );
    const labels = await scanAll(stack.documents, stack.tables.LabelsTable as string);
    expect(labels.map((l) => l.nameKey).sort()).toEqual(
      Array.from({ length: Math.min(7, VALID_PER_QUEUE) }, (_, i) => `label ${i}`).sort(),
    );
  }, 900_000);
});
