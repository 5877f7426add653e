import '../support/quiet-sdk-warning';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import { startTestStack, type TestStack } from '../support/local-stack';
import {
  consume,
  type Outgoing,
  queueDepth,
  scanAll,
  seedPatients,
  sendAll,
  size,
} from '../support/reliability';
import { quietPowertools, seedGroup } from '../support/seed';
import { type QueueRef, takeAll } from '../support/sqs-driver';

// Load: UPDATES updates (half memberships, half tasks) through local SQS, consumed by concurrent
// pollers calling the real handlers, against DynamoDB Local. Zero lost: every update's effect is
// in the tables, the queues and DLQs are empty. Nothing time-based is asserted. (A variant
// through serverless-offline's SQS event source belongs to the offline stack's own tests.)

const UPDATES = size(1_000, Number(process.env.RELIABILITY_LOAD_UPDATES ?? 100_000));
const GROUPS = 50;
const PER_TYPE = UPDATES / 2;
const PATIENTS = Math.ceil(PER_TYPE / GROUPS);
const CONCURRENCY = size(4, 6);

let stack: TestStack;
let restoreEnv: () => void;

beforeAll(async () => {
  stack = await startTestStack();
  restoreEnv = stack.applyEnv();
  quietPowertools();
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.stop();
});

describe(`load: ${UPDATES} updates through the local stack`, () => {
  it('applies every update: none lost', async () => {
    for (let g = 0; g < GROUPS; g++) await seedGroup(stack, `g-load-${g}`, `Load group ${g}`);
    const patient = (p: number) => `p-load-${p}`;
    await seedPatients(
      stack.documents,
      stack.tables.PatientsTable as string,
      Array.from({ length: PATIENTS }, (_, p) => patient(p)),
    );
    // Membership i: a distinct (group, patient) pair. Task i: its own update id.
    const memberships: Outgoing[] = Array.from({ length: PER_TYPE }, (_, i) => ({
      body: ensurePatientInGroup(patient(Math.floor(i / GROUPS)), `g-load-${i % GROUPS}`),
      metadata: { updateId: `lm-${i}`, computedAt: 1_700_000_000_000 + i },
    }));
    const tasks: Outgoing[] = Array.from({ length: PER_TYPE }, (_, i) => ({
      body: createTaskPayload({
        patientKey: patient(i % PATIENTS),
        createdByKey: 'staff-1',
        title: `Load task ${i}`,
      }),
      metadata: { updateId: `lt-${i}`, computedAt: 1_700_000_000_000 + i },
    }));
    const groupQueue = stack.queues.GroupUpdatesQueue as QueueRef;
    const taskQueue = stack.queues.TaskUpdatesQueue as QueueRef;
    await Promise.all([
      sendAll(stack.sqs, groupQueue, memberships),
      sendAll(stack.sqs, taskQueue, tasks),
    ]);

    const stats = await Promise.all([
      consume(stack.sqs, groupQueue, groupHandler, {
        concurrency: CONCURRENCY,
        giveUpAfterMs: 1_800_000,
      }),
      consume(stack.sqs, taskQueue, taskHandler, {
        concurrency: CONCURRENCY,
        giveUpAfterMs: 1_800_000,
      }),
    ]);

    expect(stats.map((s) => s.handlerErrors)).toEqual([0, 0]);
    // Every record was handed over at least once (transient failures come back and count again).
    expect(stats.map((s) => s.records - s.failedRecords)).toEqual([PER_TYPE, PER_TYPE]);
    for (const queue of [groupQueue, taskQueue]) {
      expect(await queueDepth(stack.sqs, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }
    for (const dlq of ['GroupUpdatesDeadLetterQueue', 'TaskUpdatesDeadLetterQueue']) {
      expect(await takeAll(stack.sqs, stack.queues[dlq] as QueueRef)).toEqual([]);
    }
    const storedMemberships = await scanAll(
      stack.documents,
      stack.tables.MembershipsTable as string,
    );
    expect(storedMemberships).toHaveLength(PER_TYPE);
    expect(
      new Set(storedMemberships.filter((m) => m.active === true).map((m) => m.lastUpdateId)),
    ).toEqual(new Set(memberships.map((m) => m.metadata?.updateId)));
    const storedTasks = await scanAll(stack.documents, stack.tables.TasksTable as string);
    expect(storedTasks).toHaveLength(PER_TYPE);
    expect(new Set(storedTasks.map((t) => t.sourceUpdateId))).toEqual(
      new Set(tasks.map((t) => t.metadata?.updateId)),
    );
  }, 3_600_000);
});
