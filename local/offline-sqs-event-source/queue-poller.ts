import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { failedMessageIds, toSqsEvent } from './sqs-event';

/** What one delivery of a batch to the function came to. */
export interface BatchOutcome {
  queueName: string;
  functionKey: string;
  records: number;
  /** Records left on the queue: they reappear after the visibility timeout. */
  kept: number;
  deleted: number;
  /** `ok`: all deleted; `partial`: batchItemFailures kept some; `error`: threw or timed out. */
  result: 'ok' | 'partial' | 'error';
  /** The handler's error message, when it threw (or a note on an invalid partial response). */
  error?: string;
  /** Message ids of the batch and their receive counts, for observers (tests, the demo). */
  messages: { messageId: string; receiveCount: number }[];
}

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  queueName: string;
  functionKey: string;
  region: string;
  /** 1..10, as for an SQS event source mapping. */
  batchSize: number;
  /** Seconds to keep gathering a batch once a message arrived (`maximumBatchingWindow`). */
  maximumBatchingWindowSeconds: number;
  /** `functionResponseType: ReportBatchItemFailures`: honour `batchItemFailures`. */
  reportBatchItemFailures: boolean;
  /**
   * Long-poll wait per ReceiveMessage call, seconds. local-aws-sqs answers a long poll only when the
   * whole batch is there or the wait is over, so locally 0 (short polls) and `idleDelayMs` is faster.
   */
  waitTimeSeconds: number;
  /** Pause after an empty short poll, milliseconds. */
  idleDelayMs: number;
  invoke(event: SQSEvent): Promise<unknown>;
  onBatch?(outcome: BatchOutcome): void;
  onError?(error: unknown): void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * One poller of one queue for one function: receive a batch, invoke, delete what succeeded. Like
 * the AWS event source mapping it never changes a message's visibility, so a kept message comes
 * back after the queue's visibility timeout and the queue's redrive policy moves it to the DLQ
 * after maxReceiveCount receives.
 */
export class QueuePoller {
  readonly #options: QueuePollerOptions;
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: QueuePollerOptions) {
    if (options.batchSize < 1 || options.batchSize > 10) {
      throw new Error(
        `batchSize ${options.batchSize} for ${options.functionKey}: the local event source supports 1 to 10`,
      );
    }
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops receiving; resolves when the batch in flight (if any) has been handled. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const batch = await this.#receiveBatch(signal);
        if (batch.length > 0) await this.#deliver(batch);
      } catch (error) {
        if (signal.aborted) break;
        this.#options.onError?.(error);
        await sleep(1000, signal);
      }
    }
  }

  async #receive(max: number, waitSeconds: number, signal: AbortSignal): Promise<Message[]> {
    const { Messages } = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        // Both spellings: local-aws-sqs reads the older AttributeNames, AWS takes either.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return Messages ?? [];
  }

  /** A batch as the event source mapping forms it: up to batchSize, gathered within the window. */
  async #receiveBatch(signal: AbortSignal): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds, waitTimeSeconds, idleDelayMs } = this.#options;
    const first = await this.#receive(batchSize, waitTimeSeconds, signal);
    if (first.length === 0) {
      if (waitTimeSeconds === 0) await sleep(idleDelayMs, signal);
      return first;
    }
    // Keyed by message id: a message whose visibility ran out while the batch was being gathered
    // comes back with a new receipt handle, and only the newest handle deletes it.
    const batch = new Map(first.map((message) => [message.MessageId, message]));
    const deadline = Date.now() + maximumBatchingWindowSeconds * 1000;
    while (batch.size < batchSize && !signal.aborted && Date.now() < deadline) {
      const more = await this.#receive(batchSize - batch.size, 0, signal).catch((error) => {
        if (signal.aborted) return [];
        throw error;
      });
      for (const message of more) batch.set(message.MessageId, message);
      if (more.length === 0) await sleep(Math.min(idleDelayMs, deadline - Date.now()), signal);
    }
    return [...batch.values()];
  }

  async #deliver(batch: Message[]): Promise<void> {
    const { queueArn, region, reportBatchItemFailures, invoke } = this.#options;
    const event = toSqsEvent(batch, queueArn, region);
    const ids = new Set(event.Records.map((record) => record.messageId));
    let keep: Set<string>;
    let result: BatchOutcome['result'];
    let error: string | undefined;
    try {
      const response = await invoke(event);
      const failed = reportBatchItemFailures ? failedMessageIds(response, ids) : new Set<string>();
      if (failed) {
        keep = failed;
        result = failed.size === 0 ? 'ok' : 'partial';
      } else {
        keep = ids;
        result = 'error';
        error = 'invalid batchItemFailures in the response: the whole batch is kept';
      }
    } catch (thrown) {
      // A handler that throws or times out: the whole batch stays on the queue.
      keep = ids;
      result = 'error';
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const toDelete = batch.filter((message) => !keep.has(message.MessageId ?? ''));
    if (toDelete.length > 0) await this.#delete(toDelete);
    this.#options.onBatch?.({
      queueName: this.#options.queueName,
      functionKey: this.#options.functionKey,
      records: batch.length,
      kept: batch.length - toDelete.length,
      deleted: toDelete.length,
      result,
      ...(error !== undefined ? { error } : {}),
      messages: event.Records.map((record) => ({
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      })),
    });
  }

  async #delete(messages: Message[]): Promise<void> {
    // Entry ids only need to be unique within the call: the index is.
    const { Failed } = await this.#options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.#options.queueUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
    if (Failed && Failed.length > 0) {
      throw new Error(
        `could not delete ${Failed.length} processed message(s) from ${this.#options.queueName}: ${Failed.map((f) => f.Message).join('; ')}`,
      );
    }
  }
}
