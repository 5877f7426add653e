import type { SQSRecord } from 'aws-lambda';
import { mapWithConcurrency } from '../lib/apply/concurrency';
import type { Outcome, OutcomeRecorder } from '../lib/apply/outcomes';
import { processUpdateBatch } from '../lib/apply/process-update-batch';
import { groupApplierDeps, taskApplierDeps } from '../lib/aws/applier-deps';
import { DynamoDbMembershipStore } from '../lib/aws/dynamodb-membership-store';
import { batchPutItems, groupItem } from '../lib/aws/table-items';
import { createTaskPayload, ensurePatientInGroup } from '../lib/update-helpers';
import type { OfflineStack } from '../local/offline-stack';
import { encodeUpdateAttributes, type UpdateType } from '../schemas';
import {
  type CapacitySnapshot,
  capacitySince,
  totalRequests,
  totalUnits,
} from './capacity-counter';
import { type CountedClients, countedClients } from './counted-clients';
import { seedMemberships } from './seed-memberships';
import { sqsRecord } from './sqs-records';
import { benchPatientKey } from './synthetic-patients';

export interface ApplyOptions {
  /** Membership updates per measured pass (each pass touches every membership once). */
  updates: number;
  /** Batches of 10 in flight (Lambda instances); the raw loop keeps 10x as many writes in flight. */
  concurrency: number;
  /** Measured rounds, each one applier pass and one raw pass (order alternating). */
  rounds: number;
  /** Patients seeded in the stack (memberships spread over them). */
  patients: number;
  /** Task updates applied to measure their write units. */
  tasks: number;
  onProgress(message: string): void;
}

export interface ApplyFigures {
  messagesPerSecond: number;
  rawWritesPerSecond: number;
  ratio: number;
  wcuPerMembership: number;
  wcuPerTask: number;
  /**
   * Steady state, per update: of `wcuPerMembership`, the units on global secondary indexes (every
   * index of the memberships table: `byPatient`, `activeMembers`).
   */
  indexWcuPerMembership: number;
  /** Steady state, per update, from the counter (DynamoDB requests made by the applier). */
  requestsPerMembership: number;
  rawWcuPerWrite: number;
  /** The first write of a membership, on a sample (the rest is seeded in bulk). */
  firstWrite: {
    memberships: number;
    messagesPerSecond: number;
    wcuPerMembership: number;
    /** Of `wcuPerMembership`, the units on the memberships table's indexes. */
    indexWcuPerMembership: number;
    requestsPerMembership: number;
  };
  measured: { applierMessages: number; rawWrites: number; tasks: number };
}

export const BATCH_SIZE = 10;
const BENCH_PROTOCOL = 'bench';
/** First writes measured through the applier; DynamoDB Local runs transactions slowly. */
const FIRST_WRITE_SAMPLE = 1_000;

/** Bench groups, so the measured memberships never meet the end-to-end run's. */
export function benchGroupId(index: number): string {
  return `00000000-0000-4000-9000-${String(index).padStart(12, '0')}`;
}

type Tally = Record<Outcome, number>;
const emptyTally = (): Tally => ({ applied: 0, 'no-op': 0, stale: 0, rejected: 0, retried: 0 });

/** Counts outcomes instead of logging them: the bench's stdout stays the report. */
class TallyRecorder implements OutcomeRecorder {
  tally = emptyTally();
  record(result: { outcome: Outcome }): void {
    this.tally[result.outcome] += 1;
  }
}

interface Membership {
  groupId: string;
  patientKey: string;
  body: string;
}

interface PassResult {
  ms: number;
  count: number;
  capacity: CapacitySnapshot;
}

export async function measureApply(
  stack: OfflineStack,
  options: ApplyOptions,
): Promise<ApplyFigures> {
  const { tables, queues } = stack.resources;
  const config = {
    patientsTable: String(tables.PatientsTable),
    groupsTable: String(tables.GroupsTable),
    membershipsTable: String(tables.MembershipsTable),
    tasksTable: String(tables.TasksTable),
    labelsTable: String(tables.LabelsTable),
  };
  const groupQueue = queues.GroupUpdatesQueue;
  const taskQueue = queues.TaskUpdatesQueue;
  const groupDlq = queues.GroupUpdatesDeadLetterQueue;
  const taskDlq = queues.TaskUpdatesDeadLetterQueue;
  if (!groupQueue || !taskQueue || !groupDlq || !taskDlq)
    throw new Error('serverless.yml declares no update queues and DLQs');

  const clients: CountedClients = countedClients({
    dynamodb: stack.dynamodbEndpoint,
    sqs: stack.sqsEndpoint,
  });
  try {
    const groups = Math.ceil(options.updates / options.patients);
    await batchPutItems(
      stack.documents,
      config.groupsTable,
      Array.from({ length: groups }, (_, g) =>
        groupItem({ groupId: benchGroupId(g), name: `Bench group ${g}`, active: true }),
      ),
    );
    const memberships: Membership[] = Array.from({ length: options.updates }, (_, i) => {
      const groupId = benchGroupId(Math.floor(i / options.patients));
      const patientKey = benchPatientKey(1 + (i % options.patients));
      return {
        groupId,
        patientKey,
        body: JSON.stringify(ensurePatientInGroup(patientKey, groupId)),
      };
    });

    const recorder = new TallyRecorder();
    const groupDeps = groupApplierDeps(
      { ...config, deadLetterQueueUrl: groupDlq.url },
      clients,
      recorder,
    );
    const store = new DynamoDbMembershipStore(clients.documents, config);
    // Every pass stamps a newer version than the last, so each update is a real confirming write.
    const base = Date.now();
    let pass = 0;

    const measure = async (run: () => Promise<void>, count: number): Promise<PassResult> => {
      const before = clients.capacity.snapshot();
      const started = performance.now();
      await run();
      const ms = performance.now() - started;
      return { ms, count, capacity: capacitySince(before, clients.capacity.snapshot()) };
    };

    const applierPass = async (list: readonly Membership[], expect: Outcome) => {
      pass += 1;
      const version = base + pass;
      const records: SQSRecord[] = list.map((m, i) =>
        sqsRecord({
          messageId: `bench-${pass}-${i}`,
          body: m.body,
          attributes: encodeUpdateAttributes({
            updateId: `bench-${pass}-${i}`,
            computedAt: version,
            protocol: BENCH_PROTOCOL,
          }),
          queueArn: groupQueue.arn,
        }),
      );
      recorder.tally = emptyTally();
      const result = await measure(
        () =>
          applyBatches(records, options.concurrency, (event) =>
            processUpdateBatch(event, groupDeps),
          ),
        list.length,
      );
      assertAll(recorder.tally, expect, list.length, 'membership');
      return result;
    };

    const rawPass = async (list: readonly Membership[]) => {
      pass += 1;
      const version = base + pass;
      let written = 0;
      const result = await measure(async () => {
        await mapWithConcurrency(list, options.concurrency * BATCH_SIZE, async (m, i) => {
          const outcome = await store.confirm(
            { groupId: m.groupId, patientKey: m.patientKey },
            true,
            {
              version,
              updateId: `bench-${pass}-${i}`,
              at: new Date().toISOString(),
              protocol: BENCH_PROTOCOL,
            },
          );
          if (outcome.written) written += 1;
        });
      }, list.length);
      if (written !== list.length)
        throw new Error(`raw loop: ${list.length - written} of ${list.length} writes refused`);
      return result;
    };

    const sample = memberships.slice(0, Math.min(memberships.length, FIRST_WRITE_SAMPLE));
    options.onProgress(`creating ${sample.length} memberships through the applier (first writes)`);
    const created = await applierPass(sample, 'applied');
    options.onProgress(`seeding the other ${memberships.length - sample.length} memberships`);
    await seedMemberships(
      stack.documents,
      config.membershipsTable,
      memberships.slice(sample.length).map((m) => ({ ...m, active: true })),
      { version: base, updateId: 'bench-seed', at: new Date(base).toISOString() },
    );

    const warm = memberships.slice(0, Math.min(memberships.length, 2_000));
    options.onProgress(`warming up on ${warm.length} memberships`);
    await applierPass(warm, 'no-op');
    await rawPass(warm);

    const applier: PassResult[] = [];
    const raw: PassResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Alternating order (ABBA...), so drift in the machine's load hits both loops alike.
      const order = round % 2 === 0 ? (['applier', 'raw'] as const) : (['raw', 'applier'] as const);
      for (const which of order) {
        options.onProgress(
          `round ${round + 1}/${options.rounds}: ${which === 'applier' ? 'applier' : 'raw loop'}, ${memberships.length} writes`,
        );
        if (which === 'applier') applier.push(await applierPass(memberships, 'no-op'));
        else raw.push(await rawPass(memberships));
      }
    }

    options.onProgress(`applying ${options.tasks} task updates`);
    const tasks = await measureTasks(clients, config, taskQueue.arn, taskDlq.url, options);

    const sum = (list: PassResult[], f: (p: PassResult) => number) =>
      list.reduce((s, p) => s + f(p), 0);
    const applierMessages = sum(applier, (p) => p.count);
    const rawWrites = sum(raw, (p) => p.count);
    const messagesPerSecond = applierMessages / (sum(applier, (p) => p.ms) / 1000);
    const rawWritesPerSecond = rawWrites / (sum(raw, (p) => p.ms) / 1000);
    return {
      messagesPerSecond,
      rawWritesPerSecond,
      ratio: messagesPerSecond / rawWritesPerSecond,
      wcuPerMembership: sum(applier, (p) => totalUnits(p.capacity)) / applierMessages,
      indexWcuPerMembership:
        sum(applier, (p) => totalUnits(p.capacity, 'indexUnits')) / applierMessages,
      wcuPerTask: tasks.units / options.tasks,
      requestsPerMembership: sum(applier, (p) => totalRequests(p.capacity)) / applierMessages,
      rawWcuPerWrite: sum(raw, (p) => totalUnits(p.capacity)) / rawWrites,
      firstWrite: {
        memberships: created.count,
        messagesPerSecond: created.count / (created.ms / 1000),
        wcuPerMembership: totalUnits(created.capacity) / created.count,
        indexWcuPerMembership: totalUnits(created.capacity, 'indexUnits') / created.count,
        requestsPerMembership: totalRequests(created.capacity) / created.count,
      },
      measured: { applierMessages, rawWrites, tasks: options.tasks },
    };
  } finally {
    clients.destroy();
  }
}

/** Batches of 10 handed to the applier, `concurrency` batches in flight. */
async function applyBatches(
  records: readonly SQSRecord[],
  concurrency: number,
  handle: (event: { Records: SQSRecord[] }) => Promise<{ batchItemFailures: unknown[] }>,
): Promise<void> {
  const batches: SQSRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH_SIZE)
    batches.push(records.slice(i, i + BATCH_SIZE));
  await mapWithConcurrency(batches, concurrency, async (batch) => {
    const response = await handle({ Records: batch });
    if (response.batchItemFailures.length > 0)
      throw new Error(`the applier reported ${response.batchItemFailures.length} failed records`);
  });
}

function assertAll(tally: Tally, expected: Outcome, count: number, what: string): void {
  if (tally[expected] !== count)
    throw new Error(
      `expected every ${what} update to be ${expected}, got ${JSON.stringify(tally)}: not the state the bench measures`,
    );
}

/** Task updates shaped like the appointment reminder's (one label, a dedupe key): first writes. */
async function measureTasks(
  clients: CountedClients,
  config: { patientsTable: string; tasksTable: string; labelsTable: string },
  queueArn: string,
  deadLetterQueueUrl: string,
  options: ApplyOptions,
): Promise<{ units: number }> {
  const recorder = new TallyRecorder();
  const deps = taskApplierDeps({ ...config, deadLetterQueueUrl }, clients, recorder);
  const computedAt = Date.now();
  const type: UpdateType = 'Task';
  const records = Array.from({ length: options.tasks }, (_, i) => {
    const patientKey = benchPatientKey(1 + (i % options.patients));
    const update = createTaskPayload({
      patientKey,
      createdByKey: 'bench-staff-01',
      assigneeIdentifier: 'bench-staff-01',
      title: 'Appointment reminder for 2035-01-10',
      due: '2035-01-07T09:30:00',
      labels: ['Urgent'],
      dedupeKey: `bench-reminder:${i}`,
    });
    return sqsRecord({
      messageId: `bench-task-${i}`,
      body: JSON.stringify(update),
      attributes: encodeUpdateAttributes({
        updateId: `bench-task-${computedAt}-${i}`,
        computedAt,
        protocol: `${BENCH_PROTOCOL}-${type.toLowerCase()}`,
      }),
      queueArn,
    });
  });
  const before = clients.capacity.snapshot();
  await applyBatches(records, options.concurrency, (event) => processUpdateBatch(event, deps));
  assertAll(recorder.tally, 'applied', options.tasks, 'task');
  return { units: totalUnits(capacitySince(before, clients.capacity.snapshot())) };
}
