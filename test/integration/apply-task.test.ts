import '../support/quiet-sdk-warning';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { handler } from '../../handlers/apply-task';
import { applyTask, taskIdFor } from '../../lib/apply/apply-task';
import type { ApplyResult } from '../../lib/apply/outcomes';
import { processUpdateBatch } from '../../lib/apply/process-update-batch';
import { type AwsClients, httpTimeoutConfig } from '../../lib/aws/clients';
import { foldName, type TaskStore } from '../../lib/ports';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import { FakeRecorder } from '../support/apply-fakes';
import { AwsCallRecorder } from '../support/aws-call-recorder';
import type { TestStack } from '../support/local-stack';
import { seedLabel, seedPatient } from '../support/seed';
import {
  drain,
  type QueueRef,
  receiveEvent,
  rejectionReasons,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { useApplierQueue } from '../support/use-applier-queue';

const applier = useApplierQueue('Task');
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;

beforeAll(async () => {
  ({ stack, queue, dlq } = applier());
  await seedLabel(stack, 'Retired', false);
});

async function tasksOf(patientKey: string) {
  const { Items } = await stack.documents.send(
    new QueryCommand({
      TableName: stack.tables.TasksTable,
      KeyConditionExpression: 'patientKey = :p',
      ExpressionAttributeValues: { ':p': patientKey },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

async function label(nameKey: string) {
  const { Item } = await stack.documents.send(
    new GetCommand({ TableName: stack.tables.LabelsTable, Key: { nameKey }, ConsistentRead: true }),
  );
  return Item;
}

/** Every label item whose name folds to `nameKey`, whatever key it was stored under. */
async function labelsNamed(nameKey: string) {
  const { Items } = await stack.documents.send(
    new ScanCommand({ TableName: stack.tables.LabelsTable, ConsistentRead: true }),
  );
  return (Items ?? []).filter((i) => foldName(String(i.name)) === nameKey);
}

/** The real applier and stores with a recorder the test reads (the handler logs instead). */
const recordingApplier = () => applier().recordingApplier();

/** Fresh clients (as `awsClients` builds them) whose every call is recorded. */
function recordedClients(): { clients: AwsClients; calls: AwsCallRecorder } {
  const dynamodb = new DynamoDBClient(httpTimeoutConfig());
  const clients = {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sqs: new SQSClient(httpTimeoutConfig()),
  };
  const calls = new AwsCallRecorder();
  calls.attach(clients);
  return { clients, calls };
}

/** Per update id, its outcomes other than `retried` (a conflict retried is not an effect). */
function settledOutcomes(recorder: FakeRecorder): Map<string, string[]> {
  const outcomes = new Map<string, string[]>();
  for (const r of recorder.results) {
    if (r.outcome === 'retried') continue;
    outcomes.set(r.updateId, [...(outcomes.get(r.updateId) ?? []), r.outcome]);
  }
  return outcomes;
}

describe('task applier (DynamoDB Local, local SQS)', () => {
  it('creates the task with every field as given and its missing labels', async () => {
    await seedPatient(stack, 'p-full');
    const update = createTaskPayload({
      patientKey: 'p-full',
      createdByKey: 'staff-1',
      status: 'OPEN',
      title: 'Order an A1C test',
      assigneeIdentifier: 'staff-2',
      teamIdentifier: 'team-1',
      due: '2024-02-03T09:00:00',
      created: '2024-01-31T09:00:00',
      tag: 'a1c',
      labels: ['Urgent', 'Diabetes'],
    });
    await sendUpdate(stack.sqs, queue, update, {
      updateId: 'full-1',
      computedAt: 1_700_000_000_000,
      protocol: 'a1c',
    });

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await tasksOf('p-full')).toEqual([
      expect.objectContaining({
        taskId: 'update:full-1',
        creatorKey: 'staff-1',
        assigneeKey: 'staff-2',
        teamId: 'team-1',
        status: 'OPEN',
        title: 'Order an A1C test',
        due: '2024-02-03T09:00:00',
        created: '2024-01-31T09:00:00',
        tag: 'a1c',
        labels: ['Urgent', 'Diabetes'],
        computedAt: 1_700_000_000_000,
        protocol: 'a1c',
      }),
    ]);
    expect(await label('urgent')).toMatchObject({ name: 'Urgent', active: true });
    expect(await label('diabetes')).toMatchObject({ name: 'Diabetes', active: true });
  });

  it('creates one task for a message delivered five times', async () => {
    await seedPatient(stack, 'p-dup');
    await sendUpdate(
      stack.sqs,
      queue,
      createTaskPayload({ patientKey: 'p-dup', createdByKey: 's' }),
    );
    const event = await receiveEvent(stack.sqs, queue);

    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await handler(event));
    await settle(stack.sqs, queue, event, responses[4] ?? { batchItemFailures: [] });

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(await tasksOf('p-dup')).toHaveLength(1);
  });

  it('creates one task per dedupe key across separate computations', async () => {
    await seedPatient(stack, 'p-dedupe');
    const update = createTaskPayload({
      patientKey: 'p-dedupe',
      createdByKey: 's',
      dedupeKey: 'a1c-2024',
    });
    await sendUpdate(stack.sqs, queue, update, { updateId: 'run-1' });
    await sendUpdate(stack.sqs, queue, update, { updateId: 'run-2' });

    await drain(stack.sqs, queue, handler);

    const tasks = await tasksOf('p-dedupe');
    expect(tasks.map((t) => t.taskId)).toEqual([taskIdFor(update, { updateId: 'any' })]);
  });

  it.each([
    ['inactive-label', 'p-labelled', ['Fresh label', 'retired']],
    ['unknown-patient', 'p-nobody', ['Another fresh label']],
  ])('dead-letters %s and writes nothing', async (code, patientKey, labels) => {
    await seedPatient(stack, 'p-labelled');
    await sendUpdate(
      stack.sqs,
      queue,
      createTaskPayload({ patientKey, createdByKey: 's', labels }),
    );

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const dead = await takeAll(stack.sqs, dlq);
    expect(rejectionReasons(dead)).toEqual([code]);
    expect(await tasksOf(patientKey)).toEqual([]);
    expect(await label('fresh label')).toBeUndefined();
    expect(await label('another fresh label')).toBeUndefined();
  });

  it('dead-letters a Group update sent to the task queue', async () => {
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-x', 'g-x'));

    await drain(stack.sqs, queue, handler);

    const dead = await takeAll(stack.sqs, dlq);
    expect(rejectionReasons(dead)).toEqual(['wrong-queue']);
  });

  it('creates a new label once, from one writer, when concurrent tasks spell it differently', async () => {
    // Arrange: 12 tasks naming one new label in three spellings that fold to one key.
    const spellings = ['Follow Up', 'follow up', 'FOLLOW UP'];
    const nameKey = foldName('Follow Up');
    expect(new Set(spellings.map(foldName))).toEqual(new Set([nameKey]));
    const writers = Array.from({ length: 12 }, (_, i) => ({
      patientKey: `p-race-${i}`,
      updateId: `race-${i}`,
      spelling: spellings[i % spellings.length] as string,
    }));
    for (const w of writers) await seedPatient(stack, w.patientKey);
    for (const w of writers) {
      await sendUpdate(
        stack.sqs,
        queue,
        createTaskPayload({ patientKey: w.patientKey, createdByKey: 's', labels: [w.spelling] }),
        { updateId: w.updateId },
      );
    }
    const { recorder, handle } = recordingApplier();

    // Act: two consumers at once, as two Lambda instances would be; conflicts are retried.
    await Promise.all([
      drain(stack.sqs, queue, handle, { batchSize: 6 }),
      drain(stack.sqs, queue, handle, { batchSize: 6 }),
    ]);

    // Assert: every task applied once (retries aside), each with its own spelling of one key.
    expect(settledOutcomes(recorder)).toEqual(
      new Map(writers.map((w) => [w.updateId, ['applied']])),
    );
    const tasks = new Map<string, Record<string, unknown>>();
    for (const w of writers) {
      const [task, ...extra] = await tasksOf(w.patientKey);
      expect(extra).toEqual([]);
      expect(task).toMatchObject({ sourceUpdateId: w.updateId, labels: [w.spelling] });
      expect(foldName(w.spelling)).toBe(nameKey);
      tasks.set(w.updateId, task as Record<string, unknown>);
    }
    // One label item for every spelling (keys are folded), its provenance all from one writer.
    const labelItems = await labelsNamed(nameKey);
    expect(labelItems).toHaveLength(1);
    const [item] = labelItems;
    const writer = writers.find((w) => w.updateId === item?.createdByUpdateId);
    expect(writer).toBeDefined();
    expect(item).toEqual({
      nameKey,
      name: writer?.spelling,
      active: true,
      createdAt: tasks.get(writer?.updateId ?? '')?.appliedAt,
      createdByUpdateId: writer?.updateId,
    });

    // Act again: a later batch with yet another spelling.
    const later = ['Follow up', 'fOLLOW uP'].map((spelling, i) => ({
      patientKey: `p-race-later-${i}`,
      updateId: `race-later-${i}`,
      spelling,
    }));
    for (const w of later) {
      await seedPatient(stack, w.patientKey);
      await sendUpdate(
        stack.sqs,
        queue,
        createTaskPayload({ patientKey: w.patientKey, createdByKey: 's', labels: [w.spelling] }),
        { updateId: w.updateId },
      );
    }
    await drain(stack.sqs, queue, handle);

    // Assert: applied, and the label item is exactly as the first writer left it.
    expect(settledOutcomes(recorder).get('race-later-0')).toEqual(['applied']);
    expect(settledOutcomes(recorder).get('race-later-1')).toEqual(['applied']);
    expect(await labelsNamed(nameKey)).toEqual([item]);
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });
  it('settles a re-sent task with one consistent read of the task: no transaction, no write', async () => {
    await seedPatient(stack, 'p-resent');
    const update = createTaskPayload({
      patientKey: 'p-resent',
      createdByKey: 's',
      labels: ['Resent label'],
      dedupeKey: 'reminder:appt-resent',
    });
    const { clients, calls } = recordedClients();
    const recorder = new FakeRecorder();
    const handle = (e: SQSEvent) => processUpdateBatch(e, applier().deps({ clients, recorder }));
    await sendUpdate(stack.sqs, queue, update, { updateId: 'resent-1' });
    await drain(stack.sqs, queue, handle);
    const created = await tasksOf('p-resent');
    const firstCalls = calls.calls.map((c) => c.operation);
    calls.calls.length = 0;

    // Act: two later scheduled runs re-send the same reminder.
    await sendUpdate(stack.sqs, queue, update, { updateId: 'resent-2' });
    await sendUpdate(stack.sqs, queue, update, { updateId: 'resent-3' });
    await drain(stack.sqs, queue, handle);

    // Assert: the creation read then wrote; each re-send only read the tasks table.
    expect(firstCalls).toEqual(['GetItem', 'TransactWriteItems']);
    expect(calls.calls).toEqual([
      expect.objectContaining({
        operation: 'GetItem',
        targets: [{ resource: stack.tables.TasksTable }],
      }),
      expect.objectContaining({
        operation: 'GetItem',
        targets: [{ resource: stack.tables.TasksTable }],
      }),
    ]);
    expect(recorder.results.map((r) => [r.updateId, r.outcome]).sort()).toEqual([
      ['resent-1', 'applied'],
      ['resent-2', 'no-op'],
      ['resent-3', 'no-op'],
    ]);
    expect(await tasksOf('p-resent')).toEqual(created);
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('settles concurrent first creations of one task by the write condition: one task, one label', async () => {
    // Arrange: 8 consumers apply the same reminder (one dedupe key, a new label) at once. The
    // store is the real one; only a barrier holds every read until all have read, so each reads
    // the task as missing and goes on to the transaction (the race the condition must settle).
    await seedPatient(stack, 'p-first-race');
    const consumers = 8;
    const real = applier().store();
    let reads = 0;
    let release: () => void = () => undefined;
    const allRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store: TaskStore = {
      async exists(key) {
        const found = await real.exists(key);
        reads += 1;
        if (reads === consumers) release();
        await allRead;
        return found;
      },
      create: (task, labels) => real.create(task, labels),
    };
    const update = createTaskPayload({
      patientKey: 'p-first-race',
      createdByKey: 's',
      labels: ['First race label'],
      dedupeKey: 'reminder:appt-race',
    });
    const now = () => new Date();
    /** As SQS would: a transient error (a transaction conflict) is delivered again. */
    async function applyUntilSettled(updateId: string): Promise<ApplyResult> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await applyTask(update, { updateId, version: 1 }, { tasks: store, now });
        } catch (error) {
          if (attempt >= 10) throw error;
        }
      }
    }

    // Act
    const results = await Promise.all(
      Array.from({ length: consumers }, (_, i) => applyUntilSettled(`first-race-${i}`)),
    );

    // Assert: exactly one created it, the others are no-ops; one task, one label item.
    expect(results.map((r) => r.outcome).sort()).toEqual([
      'applied',
      ...Array(consumers - 1).fill('no-op'),
    ]);
    const winner = results.findIndex((r) => r.outcome === 'applied');
    const tasks = await tasksOf('p-first-race');
    expect(tasks).toEqual([
      expect.objectContaining({
        taskId: taskIdFor(update, { updateId: 'any' }),
        sourceUpdateId: `first-race-${winner}`,
      }),
    ]);
    expect(await labelsNamed('first race label')).toEqual([
      expect.objectContaining({ active: true, createdByUpdateId: `first-race-${winner}` }),
    ]);
  });

  it('refuses a first creation with an inactive label even after the read found no task', async () => {
    await seedPatient(stack, 'p-inactive-read');
    const { clients, calls } = recordedClients();
    const recorder = new FakeRecorder();
    await sendUpdate(
      stack.sqs,
      queue,
      createTaskPayload({ patientKey: 'p-inactive-read', createdByKey: 's', labels: ['Retired'] }),
      { updateId: 'inactive-read-1' },
    );

    await drain(stack.sqs, queue, (e: SQSEvent) =>
      processUpdateBatch(e, applier().deps({ clients, recorder })),
    );

    expect(calls.calls.map((c) => c.operation)).toEqual([
      'GetItem',
      'TransactWriteItems',
      'SendMessage',
    ]);
    expect(recorder.results.map((r) => r.outcome)).toEqual(['rejected']);
    expect(await tasksOf('p-inactive-read')).toEqual([]);
    const dead = await takeAll(stack.sqs, dlq);
    expect(rejectionReasons(dead)).toEqual(['inactive-label']);
  });
});
