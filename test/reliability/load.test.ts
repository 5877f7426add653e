import '../support/quiet-sdk-warning';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { foldName, nameInitial } from '../../lib/ports';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import { type OfflineStack, startOfflineStack } from '../../local/offline-stack';
import { acknowledgedByType, readBatchReports, waitUntilDrained } from '../../local/run-metrics';
import {
  type Outgoing,
  queueDepth,
  scanAll,
  seedPatients,
  sendAll,
  size,
} from '../support/reliability';
import { takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue } from '../support/type-queues';

// Load through the local stack as `npm start` runs it: UPDATES updates (half memberships, half
// tasks) put on local SQS, delivered by our SQS event source to the real functions under
// serverless-offline (bundled by esbuild), applied to DynamoDB Local. Zero lost: every update's
// effect is in the tables exactly once, every queue and DLQ is empty, and the event source
// acknowledged each message. Nothing time-based is asserted.

const UPDATES = size(1_000, Number(process.env.RELIABILITY_LOAD_UPDATES ?? 100_000));
const GROUPS = 50;
const PER_TYPE = UPDATES / 2;
const PATIENTS = Math.ceil(PER_TYPE / GROUPS);
/** Pollers (concurrent batches) per queue in the event source. */
const POLLERS = size(2, 4);

let stack: OfflineStack;
const savedPollers = process.env.OFFLINE_SQS_POLLERS;

beforeAll(async () => {
  process.env.OFFLINE_SQS_POLLERS = String(POLLERS);
  stack = await startOfflineStack({
    stage: 'load',
    patients: 0,
    // A retried batch comes back in seconds, not the declared minutes.
    visibilityTimeoutSeconds: 20,
    params: { recomputeScheduleEnabled: 'false', logLevel: 'WARN' },
  });
}, 180_000);

afterAll(async () => {
  if (savedPollers === undefined) delete process.env.OFFLINE_SQS_POLLERS;
  else process.env.OFFLINE_SQS_POLLERS = savedPollers;
  await stack?.stop();
});

describe(`load: ${UPDATES} updates through serverless-offline and the local stack`, () => {
  it('applies every update once: none lost', async () => {
    const tables = stack.resources.tables;
    for (let g = 0; g < GROUPS; g++) {
      const name = `Load group ${g}`;
      await stack.documents.send(
        new PutCommand({
          TableName: tables.GroupsTable,
          Item: {
            groupId: `g-load-${g}`,
            name,
            nameKey: foldName(name),
            nameInitial: nameInitial(foldName(name)),
            active: true,
          },
        }),
      );
    }
    const patient = (p: number) => `p-load-${p}`;
    await seedPatients(
      stack.documents,
      tables.PatientsTable as string,
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
    const groupQueue = typeQueue(stack.resources, 'Group');
    const taskQueue = typeQueue(stack.resources, 'Task');

    await Promise.all([
      sendAll(stack.sqs, groupQueue, memberships),
      sendAll(stack.sqs, taskQueue, tasks),
    ]);
    await waitUntilDrained(stack.sqs, stack.resources, {
      intervalMs: 1_000,
      stableChecks: 3,
      timeoutMs: 3_000_000,
    });

    for (const queue of [groupQueue, taskQueue]) {
      expect(await queueDepth(stack.sqs, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }
    for (const type of ['Group', 'Task'] as const) {
      expect(await takeAll(stack.sqs, typeDeadLetterQueue(stack.resources, type))).toEqual([]);
    }
    // The event source acknowledged each message (retried ones count once, when acknowledged).
    const acknowledged = acknowledgedByType(readBatchReports(stack.reportFile), stack.resources);
    expect({ Group: acknowledged.Group, Task: acknowledged.Task }).toEqual({
      Group: PER_TYPE,
      Task: PER_TYPE,
    });
    const storedMemberships = await scanAll(stack.documents, tables.MembershipsTable as string);
    expect(storedMemberships).toHaveLength(PER_TYPE);
    expect(
      new Set(storedMemberships.filter((m) => m.active === true).map((m) => m.lastUpdateId)),
    ).toEqual(new Set(memberships.map((m) => m.metadata?.updateId)));
    const storedTasks = await scanAll(stack.documents, tables.TasksTable as string);
    expect(storedTasks).toHaveLength(PER_TYPE);
    expect(new Set(storedTasks.map((t) => t.sourceUpdateId))).toEqual(
      new Set(tasks.map((t) => t.metadata?.updateId)),
    );
  }, 3_600_000);
});
