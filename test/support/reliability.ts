import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { encodeUpdateAttributes, type UpdateMetadataInput } from '../../schemas';
import type { QueueRef, SqsHandler } from './sqs-driver';
import { receiveEvent } from './sqs-driver';

/** `RELIABILITY_FULL=1` (npm run test:reliability) selects the full sizes. */
export const RELIABILITY_FULL = process.env.RELIABILITY_FULL === '1';

/** The full size in a full run, the fast one inside `npm test`. */
export function size(fast: number, full: number): number {
  return RELIABILITY_FULL ? full : fast;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One message to send: a body (string as is, anything else as JSON) and the contract attributes. */
export interface Outgoing {
  body: unknown;
  metadata?: UpdateMetadataInput;
  /** Raw attributes, sent as given (e.g. an invalid `computed-at`). Win over `metadata`. */
  attributes?: Record<string, MessageAttributeValue>;
}

function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** SendMessageBatch refuses batches over 1 MiB; stay well under. */
const MAX_BATCH_CHARS = 800_000;

function chunks(messages: readonly Outgoing[]): Outgoing[][] {
  const out: Outgoing[][] = [];
  let current: Outgoing[] = [];
  let chars = 0;
  for (const message of messages) {
    const length = bodyText(message.body).length;
    if (current.length === 10 || (current.length > 0 && chars + length > MAX_BATCH_CHARS)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(message);
    chars += length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Sends every message with SendMessageBatch, `concurrency` calls in flight; fails on any refusal. */
export async function sendAll(
  sqs: SQSClient,
  queue: QueueRef,
  messages: readonly Outgoing[],
  concurrency = 8,
): Promise<void> {
  const batches = chunks(messages);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Outgoing[];
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: batch.map((m, i) => ({
            Id: String(i),
            MessageBody: bodyText(m.body),
            MessageAttributes: {
              ...encodeUpdateAttributes(m.metadata ?? {}),
              ...(m.attributes ?? {}),
            },
          })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        throw new Error(`local SQS refused messages: ${JSON.stringify(result.Failed)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Visible and in-flight messages of a queue. */
export async function queueDepth(
  sqs: SQSClient,
  queue: QueueRef,
): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

export interface ConsumeOptions {
  /** Concurrent "Lambda instances" polling the queue. */
  concurrency?: number;
  batchSize?: number;
  /**
   * Visibility given to records the handler reported as failed: the redelivery delay (the queue's
   * visibility timeout in AWS, scaled down). 0 redelivers at once.
   */
  retryAfterSeconds?: number;
  /** Guard against a driver that never ends (not an assertion on time). */
  giveUpAfterMs?: number;
}

export interface ConsumeStats {
  invocations: number;
  /** Records handed to the handler, redeliveries included. */
  records: number;
  /** Records the handler reported as batch item failures. */
  failedRecords: number;
  /** Invocations in which the handler threw (every record of the batch then comes back). */
  handlerErrors: number;
  responses: SQSBatchResponse[];
}

/**
 * Lambda's SQS event source mapping, for tests: `concurrency` pollers receive batches from local
 * SQS, call the real handler with the SQSEvent, delete the records it acknowledged and leave the
 * reported failures for redelivery after `retryAfterSeconds`. A handler that throws fails the
 * whole batch, as in Lambda. Returns once the queue has neither visible nor in-flight messages.
 */
export async function consume(
  sqs: SQSClient,
  queue: QueueRef,
  handler: SqsHandler,
  options: ConsumeOptions = {},
  stats: ConsumeStats = {
    invocations: 0,
    records: 0,
    failedRecords: 0,
    handlerErrors: 0,
    responses: [],
  },
): Promise<ConsumeStats> {
  const deadline = Date.now() + (options.giveUpAfterMs ?? 600_000);
  let done = false;
  const poller = async () => {
    while (!done) {
      if (Date.now() > deadline) throw new Error(`queue ${queue.url} not drained in time`);
      const event: SQSEvent = await receiveEvent(sqs, queue, options.batchSize ?? 10);
      if (event.Records.length === 0) {
        const depth = await queueDepth(sqs, queue);
        if (depth.visible + depth.inFlight + depth.delayed === 0) done = true;
        else await sleep(50);
        continue;
      }
      stats.invocations += 1;
      stats.records += event.Records.length;
      let response: SQSBatchResponse;
      try {
        response = await handler(event);
      } catch {
        stats.handlerErrors += 1;
        response = {
          batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
        };
      }
      stats.responses.push(response);
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      stats.failedRecords += failed.size;
      const acked = event.Records.filter((r) => !failed.has(r.messageId));
      const retry = event.Records.filter((r) => failed.has(r.messageId));
      if (acked.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: acked.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
      if (retry.length > 0) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: retry.map((r, i) => ({
              Id: String(i),
              ReceiptHandle: r.receiptHandle,
              VisibilityTimeout: options.retryAfterSeconds ?? 0,
            })),
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, poller));
  return stats;
}

/** Every item of a table (paginated, consistent). */
export async function scanAll(
  documents: DynamoDBDocumentClient,
  table: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Writes items with BatchWriteItem (25 per call), retrying what DynamoDB left unprocessed. */
export async function putAll(
  documents: DynamoDBDocumentClient,
  table: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests: NonNullable<
      ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']
    >[string] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests && requests.length > 0) {
      const result = await documents.send(
        new BatchWriteCommand({ RequestItems: { [table]: requests } }),
      );
      requests = result.UnprocessedItems?.[table] ?? [];
    }
  }
}

/** Seeds patients (`{patientKey, data}`), the way patient sync would. */
export function seedPatients(
  documents: DynamoDBDocumentClient,
  table: string,
  patientKeys: readonly string[],
): Promise<void> {
  return putAll(
    documents,
    table,
    patientKeys.map((patientKey) => ({ patientKey, data: {} })),
  );
}

/** A DLQ message's string attributes by name. */
export function stringAttributes(message: {
  MessageAttributes?: Record<string, { StringValue?: string }>;
}): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, a]) => [name, a.StringValue]),
  );
}

/** Output captured from process.stdout/stderr and console while `capture` is active. */
export interface CapturedOutput {
  lines: string[];
  restore(): void;
}

/**
 * Captures everything written to stdout and stderr (Powertools Logger and Metrics write there)
 * and every console call, without passing it on. Call `restore` in a finally.
 */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const write = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  const spies: jest.SpyInstance[] = [
    jest.spyOn(process.stdout, 'write').mockImplementation(write),
    jest.spyOn(process.stderr, 'write').mockImplementation(write),
  ];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  for (const method of consoleMethods) {
    spies.push(
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        chunks.push(
          `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`,
        );
      }),
    );
  }
  const captured: CapturedOutput = {
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0);
    },
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
  return captured;
}
