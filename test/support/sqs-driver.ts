import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { encodeUpdateAttributes, type UpdateMetadataInput } from '../../schemas';

/**
 * A tiny stand-in for Lambda's SQS event source mapping: receive a batch, hand it to the handler
 * as an SQSEvent, delete what the handler acknowledged and make the reported failures visible
 * again at once (instead of after the visibility timeout).
 */
export interface QueueRef {
  url: string;
  arn: string;
}

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export async function sendUpdate(
  sqs: SQSClient,
  queue: QueueRef,
  body: unknown,
  metadata: UpdateMetadataInput = {},
): Promise<string> {
  const { MessageId } = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      MessageAttributes: encodeUpdateAttributes(metadata),
    }),
  );
  return String(MessageId);
}

function toRecord(message: Message, queue: QueueRef): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, a] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: String(a.DataType),
      stringListValues: [],
      binaryListValues: [],
      ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
      ...(a.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(a.BinaryValue).toString('base64') }),
    };
  }
  const system = message.Attributes ?? {};
  return {
    messageId: String(message.MessageId),
    receiptHandle: String(message.ReceiptHandle),
    body: String(message.Body),
    attributes: {
      ApproximateReceiveCount: String(system.ApproximateReceiveCount ?? '1'),
      SentTimestamp: String(system.SentTimestamp),
      SenderId: String(system.SenderId ?? 'local'),
      ApproximateFirstReceiveTimestamp: String(system.ApproximateFirstReceiveTimestamp ?? ''),
    },
    messageAttributes,
    md5OfBody: String(message.MD5OfBody ?? ''),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: 'us-east-1',
  };
}

export async function receiveMessages(
  sqs: SQSClient,
  queue: QueueRef,
  max = 10,
): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: max,
      // local-aws-sqs knows only the older AttributeNames; real SQS accepts both.
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return Messages ?? [];
}

/** Receives and deletes everything visible (a DLQ's content, for assertions). */
export async function takeAll(sqs: SQSClient, queue: QueueRef): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const messages = await receiveMessages(sqs, queue);
    if (messages.length === 0) return all;
    all.push(...messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          ReceiptHandle: String(m.ReceiptHandle),
        })),
      }),
    );
  }
}

export async function receiveEvent(sqs: SQSClient, queue: QueueRef, max = 10): Promise<SQSEvent> {
  const messages = await receiveMessages(sqs, queue, max);
  return { Records: messages.map((m) => toRecord(m, queue)) };
}

/** Deletes the acknowledged records; makes the failed ones visible again for redelivery. */
export async function settle(
  sqs: SQSClient,
  queue: QueueRef,
  event: SQSEvent,
  response: SQSBatchResponse,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const entries = (records: SQSRecord[]) =>
    records.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle }));
  const acked = event.Records.filter((r) => !failed.has(r.messageId));
  const retry = event.Records.filter((r) => failed.has(r.messageId));
  if (acked.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: entries(acked) }));
  }
  if (retry.length > 0) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue.url,
        Entries: entries(retry).map((e) => ({ ...e, VisibilityTimeout: 0 })),
      }),
    );
  }
}

/** Delivers batches to the handler until the queue is empty; returns every response. */
export async function drain(
  sqs: SQSClient,
  queue: QueueRef,
  handler: SqsHandler,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<SQSBatchResponse[]> {
  const responses: SQSBatchResponse[] = [];
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const event = await receiveEvent(sqs, queue, options.batchSize ?? 10);
    if (event.Records.length === 0) return responses;
    const response = await handler(event);
    responses.push(response);
    await settle(sqs, queue, event, response);
  }
  throw new Error(`queue not drained after ${options.maxBatches ?? 100} batches`);
}

/** The `rejection-reason` attribute of each dead letter, in order. */
export function rejectionReasons(messages: Message[]): (string | undefined)[] {
  return messages.map((m) => m.MessageAttributes?.['rejection-reason']?.StringValue);
}

/**
 * Hands one received event to `handler` once per receive count (each record's
 * `ApproximateReceiveCount` set by hand: local SQS also counts a ChangeMessageVisibility as a
 * receive, real SQS does not), then settles the event with the last response. Returns every
 * response, in order.
 */
export async function deliverAtReceiveCounts(
  sqs: SQSClient,
  queue: QueueRef,
  event: SQSEvent,
  handler: SqsHandler,
  receiveCounts: readonly number[],
): Promise<SQSBatchResponse[]> {
  if (event.Records.length === 0) throw new Error('nothing received');
  const responses: SQSBatchResponse[] = [];
  for (const receiveCount of receiveCounts) {
    for (const record of event.Records) {
      record.attributes.ApproximateReceiveCount = String(receiveCount);
    }
    responses.push(await handler(event));
  }
  await settle(sqs, queue, event, responses.at(-1) ?? { batchItemFailures: [] });
  return responses;
}
