import '../support/quiet-sdk-warning';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../handlers/apply-task';
import { taskIdFor } from '../../lib/apply/apply-task';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import { seedLabel, seedPatient } from '../support/seed';
import {
  drain,
  type QueueRef,
  receiveEvent,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { useTestStack } from '../support/use-test-stack';

const testStack = useTestStack();
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;

beforeAll(async () => {
  stack = testStack();
  queue = stack.queues.TaskUpdatesQueue as QueueRef;
  dlq = stack.queues.TaskUpdatesDeadLetterQueue as QueueRef;
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
    expect(dead.map((m) => m.MessageAttributes?.['rejection-reason']?.StringValue)).toEqual([code]);
    expect(await tasksOf(patientKey)).toEqual([]);
    expect(await label('fresh label')).toBeUndefined();
    expect(await label('another fresh label')).toBeUndefined();
  });

  it('dead-letters a Group update sent to the task queue', async () => {
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-x', 'g-x'));

    await drain(stack.sqs, queue, handler);

    const dead = await takeAll(stack.sqs, dlq);
    expect(dead.map((m) => m.MessageAttributes?.['rejection-reason']?.StringValue)).toEqual([
      'wrong-queue',
    ]);
  });

  it('creates a new label once when concurrent tasks share it', async () => {
    const patients = Array.from({ length: 12 }, (_, i) => `p-share-${i}`);
    for (const p of patients) await seedPatient(stack, p);
    for (const p of patients) {
      await sendUpdate(
        stack.sqs,
        queue,
        createTaskPayload({ patientKey: p, createdByKey: 's', labels: ['Shared New'] }),
        {
          updateId: `share-${p}`,
        },
      );
    }

    // Two consumers at once, as two Lambda instances would be; conflicts are retried.
    await Promise.all([
      drain(stack.sqs, queue, handler, { batchSize: 6 }),
      drain(stack.sqs, queue, handler, { batchSize: 6 }),
    ]);

    for (const p of patients) expect(await tasksOf(p)).toHaveLength(1);
    const { Items } = await stack.documents.send(
      new ScanCommand({ TableName: stack.tables.LabelsTable, ConsistentRead: true }),
    );
    const shared = (Items ?? []).filter((i) => i.nameKey === 'shared new');
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({ name: 'Shared New', active: true });
    expect(patients.map((p) => `share-${p}`)).toContain(shared[0]?.createdByUpdateId);
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });
});
