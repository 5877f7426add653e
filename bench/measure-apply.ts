import type { SQSRecord } from 'aws-lambda';
import { mapWithConcurrency } from '../lib/apply/concurrency';
import type { Outcome } from '../lib/apply/outcomes';
import { processUpdateBatch } from '../lib/apply/process-update-batch';
import { DynamoDbMembershipStore } from '../lib/aws/dynamodb-membership-store';
import { batchPutItems, groupItem } from '../lib/aws/table-items';
import { messageType } from '../lib/message-types';
import type { OutcomeRecorder } from '../lib/ports/outcome-recorder';
import { createTaskPayload, ensurePatientInGroup } from '../lib/update-helpers';
import { localApplierDeps } from '../local/appliers';
import { handlerEnvironment } from '../local/handler-environment';
import type { OfflineStack } from '../local/offline-stack';
import { encodeUpdateAttributes, type UpdateType } from '../schemas';
import {
  type CapacitySnapshot,
  capacitySince,
  failedRequests,
  totalRequests,
  totalUnits,
  unitsByKind,
} from './capacity-counter';
import { type CountedClients, countedClients } from './counted-clients';
import { ensureIdempotencyTable, type PeerTally, peerHandler } from './measure-peer';
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
  /** Write units per created task (the transaction); the read before it is `rcuPerTaskCreated`. */
  wcuPerTask: number;
  rcuPerTaskCreated: number;
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
  /**
   * A re-sent task whose task exists (every scheduled run re-sends each reminder): the same tasks
   * as `wcuPerTask`, sent again with new update ids. Units per task, read and write apart, and the
   * requests (by command) and failed requests behind them.
   */
  taskSteady: {
    wcuPerTask: number;
    rcuPerTask: number;
    requestsPerTask: number;
    failedRequestsPerTask: number;
    requestsByCommand: Record<string, number>;
  };
  /** The peer (bench/measure-peer.ts) on the same steady-state updates, passes alternating. */
  peer: {
    messagesPerSecond: number;
    wcuPerMembership: number;
    /** Of `wcuPerMembership`, on global secondary indexes (the memberships table's). */
    indexWcuPerMembership: number;
    requestsPerMembership: number;
    requestsByCommand: Record<string, number>;
    /** Ours over the peer's: `messagesPerSecond / peer.messagesPerSecond`. */
    throughputRatio: number;
  };
  measured: {
    applierMessages: number;
    rawWrites: number;
    tasks: number;
    peerMessages: number;
    /** Batches in flight (each batch an invocation), as the options gave it. */
    concurrency: number;
  };
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
  const group = messageType('Group').queue;
  const task = messageType('Task').queue;
  const groupQueue = queues[group.logicalId];
  const taskQueue = queues[task.logicalId];
  const groupDlq = queues[group.deadLetterLogicalId];
  const taskDlq = queues[task.deadLetterLogicalId];
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
    // The appliers' environment as serverless.yml gives it (tables, DLQ URLs), resolved locally.
    const env = handlerEnvironment(stack.config, stack.resources);
    const groupDeps = localApplierDeps('Group', { clients, env, recorder });
    const store = new DynamoDbMembershipStore(clients.documents, config);
    const idempotencyTable = `${config.membershipsTable}-bench-idempotency`;
    await ensureIdempotencyTable(stack.dynamodb, idempotencyTable);
    const peerTally: PeerTally = { written: 0, stale: 0, rejected: 0 };
    const peer = peerHandler(
      {
        dynamodb: clients.dynamodb,
        documents: clients.documents,
        membershipsTable: config.membershipsTable,
        idempotencyTable,
      },
      peerTally,
    );
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

    const recordsFor = (list: readonly Membership[], version: number): SQSRecord[] =>
      list.map((m, i) =>
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

    const applierPass = async (list: readonly Membership[], expect: Outcome) => {
      pass += 1;
      const records = recordsFor(list, base + pass);
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

    const peerPass = async (list: readonly Membership[]) => {
      pass += 1;
      const records = recordsFor(list, base + pass);
      peerTally.written = 0;
      peerTally.stale = 0;
      peerTally.rejected = 0;
      const result = await measure(
        () => applyBatches(records, options.concurrency, peer),
        list.length,
      );
      if (peerTally.written !== list.length)
        throw new Error(
          `peer: expected ${list.length} membership writes, got ${JSON.stringify(peerTally)}: not the state the bench measures`,
        );
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
    await peerPass(warm);

    const applier: PassResult[] = [];
    const raw: PassResult[] = [];
    const peerPasses: PassResult[] = [];
    const label = { applier: 'applier', raw: 'raw loop', peer: 'peer (Powertools idempotency)' };
    for (let round = 0; round < options.rounds; round++) {
      // Alternating order (ABC, CBA, ...), so drift in the machine's load hits every loop alike.
      const order =
        round % 2 === 0
          ? (['applier', 'raw', 'peer'] as const)
          : (['peer', 'raw', 'applier'] as const);
      for (const which of order) {
        options.onProgress(
          `round ${round + 1}/${options.rounds}: ${label[which]}, ${memberships.length} writes`,
        );
        if (which === 'applier') applier.push(await applierPass(memberships, 'no-op'));
        else if (which === 'raw') raw.push(await rawPass(memberships));
        else peerPasses.push(await peerPass(memberships));
      }
    }

    options.onProgress(`applying ${options.tasks} task updates`);
    const tasks = await measureTasks(clients, taskQueue.arn, env, options);

    const sum = (list: PassResult[], f: (p: PassResult) => number) =>
      list.reduce((s, p) => s + f(p), 0);
    const applierMessages = sum(applier, (p) => p.count);
    const rawWrites = sum(raw, (p) => p.count);
    const peerMessages = sum(peerPasses, (p) => p.count);
    const messagesPerSecond = applierMessages / (sum(applier, (p) => p.ms) / 1000);
    const rawWritesPerSecond = rawWrites / (sum(raw, (p) => p.ms) / 1000);
    const peerMessagesPerSecond = peerMessages / (sum(peerPasses, (p) => p.ms) / 1000);
    const peerRequests: Record<string, number> = {};
    for (const p of peerPasses)
      for (const [command, entry] of Object.entries(p.capacity))
        peerRequests[command] = (peerRequests[command] ?? 0) + entry.requests;
    return {
      messagesPerSecond,
      rawWritesPerSecond,
      ratio: messagesPerSecond / rawWritesPerSecond,
      wcuPerMembership: sum(applier, (p) => totalUnits(p.capacity)) / applierMessages,
      indexWcuPerMembership:
        sum(applier, (p) => totalUnits(p.capacity, 'indexUnits')) / applierMessages,
      wcuPerTask: tasks.units / options.tasks,
      rcuPerTaskCreated: tasks.readUnits / options.tasks,
      requestsPerMembership: sum(applier, (p) => totalRequests(p.capacity)) / applierMessages,
      rawWcuPerWrite: sum(raw, (p) => totalUnits(p.capacity)) / rawWrites,
      firstWrite: {
        memberships: created.count,
        messagesPerSecond: created.count / (created.ms / 1000),
        wcuPerMembership: totalUnits(created.capacity) / created.count,
        indexWcuPerMembership: totalUnits(created.capacity, 'indexUnits') / created.count,
        requestsPerMembership: totalRequests(created.capacity) / created.count,
      },
      taskSteady: {
        wcuPerTask: tasks.steady.write / options.tasks,
        rcuPerTask: tasks.steady.read / options.tasks,
        requestsPerTask: tasks.steady.requests / options.tasks,
        failedRequestsPerTask: tasks.steady.failed / options.tasks,
        requestsByCommand: tasks.steady.byCommand,
      },
      peer: {
        messagesPerSecond: peerMessagesPerSecond,
        wcuPerMembership: sum(peerPasses, (p) => totalUnits(p.capacity)) / peerMessages,
        indexWcuPerMembership:
          sum(peerPasses, (p) => totalUnits(p.capacity, 'indexUnits')) / peerMessages,
        requestsPerMembership: sum(peerPasses, (p) => totalRequests(p.capacity)) / peerMessages,
        requestsByCommand: peerRequests,
        throughputRatio: messagesPerSecond / peerMessagesPerSecond,
      },
      measured: {
        applierMessages,
        rawWrites,
        tasks: options.tasks,
        peerMessages,
        concurrency: options.concurrency,
      },
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
  queueArn: string,
  env: Record<string, string>,
  options: ApplyOptions,
): Promise<{
  /** Write units of the creations (the read before each is apart: `readUnits`). */
  units: number;
  readUnits: number;
  steady: {
    read: number;
    write: number;
    requests: number;
    failed: number;
    byCommand: Record<string, number>;
  };
}> {
  const recorder = new TallyRecorder();
  const deps = localApplierDeps('Task', { clients, env, recorder });
  const type: UpdateType = 'Task';
  const recordsAt = (computedAt: number) =>
    Array.from({ length: options.tasks }, (_, i) => {
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
  const computedAt = Date.now();
  const before = clients.capacity.snapshot();
  await applyBatches(recordsAt(computedAt), options.concurrency, (event) =>
    processUpdateBatch(event, deps),
  );
  assertAll(recorder.tally, 'applied', options.tasks, 'task');
  const created = capacitySince(before, clients.capacity.snapshot());

  // The next scheduled run: the same tasks again, new update ids; each task exists.
  recorder.tally = emptyTally();
  const beforeSteady = clients.capacity.snapshot();
  await applyBatches(recordsAt(computedAt + 1), options.concurrency, (event) =>
    processUpdateBatch(event, deps),
  );
  assertAll(recorder.tally, 'no-op', options.tasks, 'task (re-sent)');
  const steady = capacitySince(beforeSteady, clients.capacity.snapshot());
  const createdUnits = unitsByKind(created);
  return {
    units: createdUnits.write,
    readUnits: createdUnits.read,
    steady: {
      ...unitsByKind(steady),
      requests: totalRequests(steady),
      failed: failedRequests(steady),
      byCommand: Object.fromEntries(Object.entries(steady).map(([c, e]) => [c, e.requests])),
    },
  };
}
