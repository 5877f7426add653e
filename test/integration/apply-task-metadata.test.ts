import '../support/quiet-sdk-warning';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { taskCommentsKey } from '../../lib/apply/apply-task-comment';
import { taskMetadataItemFor } from '../../lib/apply/apply-task-metadata';
import { changeVersion } from '../../lib/apply/change-version';
import { awsClients } from '../../lib/aws/clients';
import { taskCommentPayload, taskMetadataPayload } from '../../lib/update-helpers';
import type { FakeRecorder } from '../support/apply-fakes';
import { createTaskThroughQueue } from '../support/lifecycle-task';
import type { TestStack } from '../support/local-stack';
import { seedPatient } from '../support/seed';
import {
  deliverAtReceiveCounts,
  drain,
  type QueueRef,
  receiveEvent,
  rejectionReasons,
  type SqsHandler,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { itemsUnder, storedItem } from '../support/table-reads';
import { useApplierQueue } from '../support/use-applier-queue';

const T0 = 1_700_000_000_000;

// The real applier (the registry entry's deps over the DynamoDB store and the SQS DLQ), with a
// recorder the test reads.
const applier = useApplierQueue('TaskMetadata');
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;
let recorder: FakeRecorder;
let handler: SqsHandler;

beforeAll(() => {
  ({ stack, queue, dlq } = applier());
  ({ recorder, handle: handler } = applier().recordingApplier());
});

/** A task as the Task applier creates it (through the Task queue and its real handler). */
async function createTask(patientKey: string, dedupeKey: string): Promise<string> {
  const { taskId } = await createTaskThroughQueue(
    applier(),
    { patientKey, createdByKey: 's1', dedupeKey },
    { updateId: `create-${dedupeKey}`, computedAt: T0 },
  );
  return taskId;
}

const metadataOf = (patientKey: string, taskId: string) =>
  itemsUnder(stack, 'TaskMetadataTable', 'taskKey', taskCommentsKey(patientKey, taskId));

async function storedValue(patientKey: string, taskId: string, key: string) {
  const item = await storedItem(stack, 'TaskMetadataTable', {
    taskKey: taskCommentsKey(patientKey, taskId),
    metadataKey: key,
  });
  return item?.value;
}

/** Sends each message, then delivers them one batch at a time, in the order sent. */
async function deliverInOrder(
  messages: [unknown, { updateId: string; computedAt: number }][],
): Promise<string[]> {
  const from = recorder.results.length;
  for (const [body, attributes] of messages) {
    await sendUpdate(stack.sqs, queue, body, attributes);
    await drain(stack.sqs, queue, handler, { batchSize: 1 });
  }
  return recorder.results.slice(from).map((r) => r.outcome);
}

describe('TaskMetadata applier (DynamoDB Local, local SQS, deps from the registry)', () => {
  it('creates a key on a task named by dedupe_key, once however often it is delivered', async () => {
    const taskId = await createTask('p-m1', 'reminder:1');
    await sendUpdate(
      stack.sqs,
      queue,
      taskMetadataPayload({
        patientKey: 'p-m1',
        dedupeKey: 'reminder:1',
        key: 'outreach',
        value: 'voicemail',
      }),
      { updateId: 'm1', computedAt: T0 + 1, protocol: 'reminder' },
    );
    const delivered = await receiveEvent(stack.sqs, queue);
    const from = recorder.results.length;

    const responses = [await handler(delivered)];
    const afterFirst = await metadataOf('p-m1', taskId);
    for (let i = 0; i < 2; i++) responses.push(await handler(delivered));
    await settle(stack.sqs, queue, delivered, responses[2] ?? { batchItemFailures: [] });

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(recorder.results.slice(from).map((r) => r.outcome)).toEqual([
      'applied',
      'no-op',
      'no-op',
    ]);
    // The redeliveries wrote nothing: the item is the first delivery's, its appliedAt included.
    expect(await metadataOf('p-m1', taskId)).toEqual(afterFirst);
    expect(await metadataOf('p-m1', taskId)).toEqual([
      {
        taskKey: taskCommentsKey('p-m1', taskId),
        metadataKey: 'outreach',
        patientKey: 'p-m1',
        taskId,
        value: 'voicemail',
        version: changeVersion(T0 + 1, 'm1'),
        updateId: 'm1',
        computedAt: T0 + 1,
        protocol: 'reminder',
        appliedAt: expect.any(String),
      },
    ]);
    // What is logged: the task id and outcomes, never the key or the value.
    expect(JSON.stringify(recorder.results.slice(from))).not.toMatch(/outreach|voicemail/);
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('overwrites with a newer value by task_id, refuses an older one, records a same-value re-send', async () => {
    const taskId = await createTask('p-m2', 'reminder:2');
    const set = (value: string) =>
      taskMetadataPayload({ patientKey: 'p-m2', taskId, key: 'status', value });

    const outcomes = await deliverInOrder([
      [set('a'), { updateId: 'u1', computedAt: T0 + 1 }],
      [set('b'), { updateId: 'u3', computedAt: T0 + 3 }],
      [set('stale'), { updateId: 'u2', computedAt: T0 + 2 }],
      // A re-assertion of the current value: no-op, but its version is recorded...
      [set('b'), { updateId: 'u5', computedAt: T0 + 5 }],
      // ...so a message computed before it, arriving later, is stale.
      [set('c'), { updateId: 'u4', computedAt: T0 + 4 }],
    ]);

    expect(outcomes).toEqual(['applied', 'applied', 'stale', 'no-op', 'stale']);
    expect(await metadataOf('p-m2', taskId)).toEqual([
      expect.objectContaining({ value: 'b', version: changeVersion(T0 + 5, 'u5') }),
    ]);
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('keeps each key of a task apart', async () => {
    const taskId = await createTask('p-m3', 'reminder:3');
    const set = (key: string, value: string) =>
      taskMetadataPayload({ patientKey: 'p-m3', dedupeKey: 'reminder:3', key, value });

    await deliverInOrder([
      [set('a', 'newer'), { updateId: 'u2', computedAt: T0 + 2 }],
      [set('b', 'older'), { updateId: 'u1', computedAt: T0 + 1 }],
      [set('c', ''), { updateId: 'u3', computedAt: T0 + 3 }],
    ]);

    expect(await storedValue('p-m3', taskId, 'a')).toBe('newer');
    expect(await storedValue('p-m3', taskId, 'b')).toBe('older');
    expect(await storedValue('p-m3', taskId, 'c')).toBe('');
  });

  it('retries a key on a missing task, then dead-letters it as unknown-task', async () => {
    await sendUpdate(
      stack.sqs,
      queue,
      taskMetadataPayload({ patientKey: 'p-none', taskId: 'update:none', key: 'k', value: 'v' }),
    );
    const delivered = await receiveEvent(stack.sqs, queue);

    const responses = await deliverAtReceiveCounts(stack.sqs, queue, delivered, handler, [1, 2, 3]);

    expect(responses.map((r) => r.batchItemFailures.length)).toEqual([1, 1, 0]);
    expect(rejectionReasons(await takeAll(stack.sqs, dlq))).toEqual(['unknown-task']);
    expect(await metadataOf('p-none', 'update:none')).toEqual([]);
  });

  it('finds a task by task_id only within its patient', async () => {
    const taskId = await createTask('p-m4', 'reminder:4');
    await seedPatient(stack, 'p-other');
    await sendUpdate(
      stack.sqs,
      queue,
      taskMetadataPayload({ patientKey: 'p-other', taskId, key: 'k', value: 'v' }),
    );
    const delivered = await receiveEvent(stack.sqs, queue);

    await deliverAtReceiveCounts(stack.sqs, queue, delivered, handler, [3]);

    expect(rejectionReasons(await takeAll(stack.sqs, dlq))).toEqual(['unknown-task']);
    expect(await metadataOf('p-m4', taskId)).toEqual([]);
  });

  it.each([
    [
      'schema',
      'a null value',
      {
        ...taskMetadataPayload({ patientKey: 'p-m1', taskId: 't', key: 'k', value: 'v' }),
        integration_payload: { task: { task_id: 't' }, key: 'k', value: null },
      },
      'integration_payload.value',
    ],
    [
      'schema',
      'a key with a space',
      {
        ...taskMetadataPayload({ patientKey: 'p-m1', taskId: 't', key: 'k', value: 'v' }),
        integration_payload: { task: { task_id: 't' }, key: 'Jane Doe', value: 'v' },
      },
      'integration_payload.key',
    ],
    [
      'wrong-queue',
      'a TaskComment',
      taskCommentPayload({ patientKey: 'p-m1', taskId: 't', createdByKey: 's', body: 'x' }),
      '"TaskComment" update',
    ],
    ['invalid-json', 'a cut body', '{"integration_type": "TaskMetadata"', 'not valid JSON'],
  ])('dead-letters %s (%s)', async (code, _what, body, named) => {
    await sendUpdate(stack.sqs, queue, body);

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const dead = await takeAll(stack.sqs, dlq);
    expect(rejectionReasons(dead)).toEqual([code]);
    const detail = String(dead[0]?.MessageAttributes?.['rejection-detail']?.StringValue);
    expect(detail).toContain(named);
    expect(detail).not.toContain('Jane');
  });

  it('a first write that loses to a concurrent first write compares with the winner', async () => {
    const taskId = await createTask('p-m5', 'reminder:5');
    const item = (key: string, value: string, updateId: string, computedAt: number) =>
      taskMetadataItemFor(
        taskMetadataPayload({ patientKey: 'p-m5', taskId, key, value }),
        { updateId, version: computedAt },
        new Date(),
      );
    /** The real client, but another writer creates the key just before our first transaction. */
    const racing = (competitor: ReturnType<typeof item>) => {
      let raced = false;
      const documents = {
        send: async (command: unknown) => {
          if (command instanceof TransactWriteCommand && !raced) {
            raced = true;
            await stack.documents.send(
              new PutCommand({ TableName: stack.tables.TaskMetadataTable, Item: competitor }),
            );
          }
          return stack.documents.send(command as never);
        },
      } as unknown as DynamoDBDocumentClient;
      return applier().store({ ...awsClients(), documents });
    };

    const overOlder = await racing(item('a', 'old', 'u1', T0 + 1)).put(
      item('a', 'mine', 'u2', T0 + 2),
    );
    expect(overOlder).toEqual({
      outcome: 'written',
      previous: { value: 'old', version: changeVersion(T0 + 1, 'u1') },
    });
    expect(await storedValue('p-m5', taskId, 'a')).toBe('mine');

    const underNewer = await racing(item('b', 'newest', 'u9', T0 + 9)).put(
      item('b', 'late', 'u3', T0 + 3),
    );
    expect(underNewer).toEqual({
      outcome: 'not-newer',
      current: { value: 'newest', version: changeVersion(T0 + 9, 'u9') },
    });
    expect(await storedValue('p-m5', taskId, 'b')).toBe('newest');
  });
});
