import '../support/quiet-sdk-warning';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import { captureOutput, queueDepth, sleep, stringAttributes } from '../support/reliability';
import { seedGroup, seedPatient } from '../support/seed';
import { type QueueRef, type SqsHandler, sendUpdate, takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';

// A "Lambda" that applies a batch and dies before SQS deletes it: the handler runs on a received
// batch, nothing is deleted, the visibility timeout (1 s here, 180 s in AWS) expires, SQS delivers
// the same messages again, the handler runs again. One effect is expected.

const testStack = useTestStack({ quiet: false });
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
  // The outcome of each record is read from the handler's own log lines.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  await seedGroup(stack, 'g-crash', 'Crash group');
  await seedPatient(stack, 'p-crash');
});

function toEvent(
  messages: NonNullable<Awaited<ReturnType<typeof receiveOnce>>>,
  queue: QueueRef,
): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: String(m.MessageId),
      receiptHandle: String(m.ReceiptHandle),
      body: String(m.Body),
      attributes: {
        ApproximateReceiveCount: String(m.Attributes?.ApproximateReceiveCount ?? '1'),
        SentTimestamp: String(m.Attributes?.SentTimestamp),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.Attributes?.ApproximateFirstReceiveTimestamp),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
          name,
          {
            dataType: String(a.DataType),
            stringValue: a.StringValue,
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: String(m.MD5OfBody),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** One receive with a 1-second visibility timeout (the "Lambda" holds the batch that long). */
async function receiveOnce(queue: QueueRef) {
  const { Messages } = await stack.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 1,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return Messages ?? [];
}

/** Polls until the messages are visible again (bounded: the test fails, it does not hang). */
async function receiveRedelivery(queue: QueueRef) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const messages = await receiveOnce(queue);
    if (messages.length > 0) return messages;
    await sleep(100);
  }
  throw new Error('the unacknowledged messages never came back');
}

/** Runs the handler and returns its response and the outcomes it logged, by message id. */
async function invoke(handler: SqsHandler, event: SQSEvent) {
  const output = captureOutput();
  let response: Awaited<ReturnType<SqsHandler>>;
  try {
    response = await handler(event);
  } finally {
    output.restore();
  }
  const outcomes: Record<string, string> = {};
  for (const line of output.lines) {
    const parsed = JSON.parse(line) as { message?: string; messageId?: string; outcome?: string };
    if (parsed.message === 'update record' && parsed.messageId && parsed.outcome)
      outcomes[parsed.messageId] = parsed.outcome;
  }
  return { response, outcomes };
}

async function crashThenRedeliver(queue: QueueRef, handler: SqsHandler) {
  const first = await receiveOnce(queue);
  const firstRun = await invoke(handler, toEvent(first, queue));
  // The "Lambda" dies here: no delete. The visibility timeout expires and SQS redelivers.
  const again = await receiveRedelivery(queue);
  const secondRun = await invoke(handler, toEvent(again, queue));
  // This time the event source mapping gets the response and deletes the batch.
  await stack.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: again.map((m, i) => ({ Id: String(i), ReceiptHandle: String(m.ReceiptHandle) })),
    }),
  );
  return { first, again, firstRun, secondRun };
}

describe('crash after the write, before the acknowledgement', () => {
  it('creates one task when the task batch is redelivered', async () => {
    const queue = typeQueue(stack, 'Task');
    const body = createTaskPayload({
      patientKey: 'p-crash',
      createdByKey: 'staff-1',
      title: 'Call back',
      labels: ['Crash-label'],
    });
    const messageId = await sendUpdate(stack.sqs, queue, body, {
      updateId: 'crash-task-1',
      computedAt: 1_700_000_000_000,
    });

    const { first, again, firstRun, secondRun } = await crashThenRedeliver(queue, taskHandler);

    expect(first.map((m) => m.MessageId)).toEqual([messageId]);
    expect(again.map((m) => m.MessageId)).toEqual([messageId]);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(firstRun.response.batchItemFailures).toEqual([]);
    expect(secondRun.response.batchItemFailures).toEqual([]);
    expect(firstRun.outcomes).toEqual({ [messageId]: 'applied' });
    expect(secondRun.outcomes).toEqual({ [messageId]: 'no-op' });
    const { Items } = await stack.documents.send(
      new QueryCommand({
        TableName: stack.tables.TasksTable,
        KeyConditionExpression: 'patientKey = :p',
        ExpressionAttributeValues: { ':p': 'p-crash' },
        ConsistentRead: true,
      }),
    );
    expect(Items?.map((t) => t.taskId)).toEqual(['update:crash-task-1']);
    expect(await queueDepth(stack.sqs, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('leaves the membership unchanged and reports a no-op when the group batch is redelivered', async () => {
    const queue = typeQueue(stack, 'Group');
    const messageId = await sendUpdate(
      stack.sqs,
      queue,
      ensurePatientInGroup('p-crash', 'g-crash'),
      {
        updateId: 'crash-group-1',
        computedAt: 1_700_000_000_000,
      },
    );
    const read = async () =>
      (
        await stack.documents.send(
          new GetCommand({
            TableName: stack.tables.MembershipsTable,
            Key: { groupId: 'g-crash', patientKey: 'p-crash' },
            ConsistentRead: true,
          }),
        )
      ).Item;

    const first = await receiveOnce(queue);
    const firstRun = await invoke(groupHandler, toEvent(first, queue));
    const afterFirst = await read();
    const again = await receiveRedelivery(queue);
    const secondRun = await invoke(groupHandler, toEvent(again, queue));
    await stack.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: again.map((m, i) => ({ Id: String(i), ReceiptHandle: String(m.ReceiptHandle) })),
      }),
    );

    expect(again.map((m) => m.MessageId)).toEqual([messageId]);
    expect(firstRun.outcomes).toEqual({ [messageId]: 'applied' });
    expect(secondRun.outcomes).toEqual({ [messageId]: 'no-op' });
    expect(secondRun.response.batchItemFailures).toEqual([]);
    expect(afterFirst).toMatchObject({ active: true, lastUpdateId: 'crash-group-1' });
    // Byte for byte the same item: the redelivery wrote nothing (not even updatedAt).
    expect(await read()).toEqual(afterFirst);
    expect(await queueDepth(stack.sqs, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('dead-letters a rejected record again on redelivery, with the same identity (harmless to redrive)', async () => {
    const queue = typeQueue(stack, 'Group');
    const dlq = typeDeadLetterQueue(stack, 'Group');
    const messageId = await sendUpdate(
      stack.sqs,
      queue,
      ensurePatientInGroup('p-nobody', 'g-crash'),
      { updateId: 'crash-reject-1', computedAt: 1_700_000_000_000 },
    );

    const { firstRun, secondRun } = await crashThenRedeliver(queue, groupHandler);

    expect(firstRun.outcomes).toEqual({ [messageId]: 'rejected' });
    expect(secondRun.outcomes).toEqual({ [messageId]: 'rejected' });
    const dead = (await takeAll(stack.sqs, dlq)).map(stringAttributes);
    // The documented consequence of a lost acknowledgement: the DLQ may hold the message twice,
    // with one update id and one version, so redriving both has one effect.
    expect(dead).toHaveLength(2);
    expect(new Set(dead.map((a) => `${a['update-id']}/${a['computed-at']}`))).toEqual(
      new Set(['crash-reject-1/1700000000000']),
    );
    expect(dead.map((a) => a['rejection-reason'])).toEqual(['unknown-patient', 'unknown-patient']);
  });
});
