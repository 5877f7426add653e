import '../support/quiet-sdk-warning';
import { handler } from '../../handlers/apply-task-comment';
import { taskCommentsKey } from '../../lib/apply/apply-task-comment';
import { changeVersion } from '../../lib/apply/change-version';
import { taskCommentPayload, updateTaskPayload } from '../../lib/update-helpers';
import { createTaskThroughQueue } from '../support/lifecycle-task';
import type { TestStack } from '../support/local-stack';
import {
  deliverAtReceiveCounts,
  drain,
  type QueueRef,
  receiveEvent,
  rejectionReasons,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { itemsUnder } from '../support/table-reads';
import { useApplierQueue } from '../support/use-applier-queue';

const T0 = 1_700_000_000_000;

const applier = useApplierQueue('TaskComment');
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;

beforeAll(async () => {
  ({ stack, queue, dlq } = applier());
});

async function createTask(patientKey: string, dedupeKey: string) {
  const { taskId } = await createTaskThroughQueue(applier(), {
    patientKey,
    createdByKey: 's1',
    dedupeKey,
  });
  return taskId;
}

const commentsOf = (patientKey: string, taskId: string) =>
  itemsUnder(stack, 'TaskCommentsTable', 'taskKey', taskCommentsKey(patientKey, taskId));

describe('TaskComment applier (DynamoDB Local, local SQS)', () => {
  it('adds a comment once however often it is delivered, listed in computation order', async () => {
    const taskId = await createTask('p-c', 'reminder:1');
    const comment = (body: string) =>
      taskCommentPayload({ patientKey: 'p-c', dedupeKey: 'reminder:1', createdByKey: 's2', body });
    await sendUpdate(stack.sqs, queue, comment('Second'), { updateId: 'c2', computedAt: T0 + 2 });
    await sendUpdate(stack.sqs, queue, comment('First'), {
      updateId: 'c1',
      computedAt: T0 + 1,
      protocol: 'reminder',
    });
    const delivered = await receiveEvent(stack.sqs, queue);

    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await handler(delivered));
    await settle(stack.sqs, queue, delivered, responses[2] ?? { batchItemFailures: [] });

    expect(delivered.Records).toHaveLength(2);
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const comments = await commentsOf('p-c', taskId);
    expect(comments.map((c) => c.body)).toEqual(['First', 'Second']);
    expect(comments[0]).toEqual({
      taskKey: taskCommentsKey('p-c', taskId),
      commentId: changeVersion(T0 + 1, 'c1'),
      patientKey: 'p-c',
      taskId,
      creatorKey: 's2',
      body: 'First',
      updateId: 'c1',
      computedAt: T0 + 1,
      protocol: 'reminder',
      appliedAt: expect.any(String),
    });
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('retries a comment on a missing task, then dead-letters it as unknown-task', async () => {
    await sendUpdate(
      stack.sqs,
      queue,
      taskCommentPayload({
        patientKey: 'p-none',
        taskId: 'update:none',
        createdByKey: 's',
        body: 'x',
      }),
    );
    const delivered = await receiveEvent(stack.sqs, queue);

    const responses = await deliverAtReceiveCounts(stack.sqs, queue, delivered, handler, [1, 2, 3]);

    expect(responses.map((r) => r.batchItemFailures.length)).toEqual([1, 1, 0]);
    expect(rejectionReasons(await takeAll(stack.sqs, dlq))).toEqual(['unknown-task']);
    expect(await commentsOf('p-none', 'update:none')).toEqual([]);
  });

  it.each([
    [
      'schema',
      {
        ...taskCommentPayload({ patientKey: 'p-c', taskId: 't', createdByKey: 's', body: 'x' }),
        integration_payload: { task: { task_id: 't' }, body: 'no creator' },
      },
    ],
    ['wrong-queue', updateTaskPayload({ patientKey: 'p-c', taskId: 't', status: 'CLOSED' })],
    ['invalid-json', '{"integration_type": "TaskComment"'],
  ])('dead-letters %s', async (code, body) => {
    await sendUpdate(stack.sqs, queue, body);

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(rejectionReasons(await takeAll(stack.sqs, dlq))).toEqual([code]);
  });
});
