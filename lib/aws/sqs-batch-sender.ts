import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import {
  type OutgoingMessage,
  planBatches,
  SQS_LIMITS,
  type SqsLimits,
} from '../compute/message-batches';

/** The one SQS call the sender makes (an `SQSClient` fits; tests pass a fake). */
export interface SendMessageBatchClient {
  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
}

export interface SqsBatchSenderOptions {
  client: SendMessageBatchClient;
  /** Attempts per batch, counting the first (whole-request errors and `Failed` entries alike). */
  maxAttempts?: number;
  /** Backoff: full jitter over `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Batches in flight at once per `send` call. */
  concurrency?: number;
  limits?: SqsLimits;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Entries SQS still refused after the retries, or refused as the sender's fault. */
export class SqsSendError extends Error {
  override readonly name = 'SqsSendError';
  constructor(
    message: string,
    /** The refused entries: label (update id), SQS code, sender's fault or not. */
    readonly failures: readonly { label: string; code: string; senderFault: boolean }[],
  ) {
    super(message);
  }
}

const TRANSIENT_ERROR_NAMES = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'KmsThrottled',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const TRANSIENT_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** A whole-request error worth retrying: throttling, a 5xx, a dropped connection. */
export function isTransientSqsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    name?: string;
    code?: string;
  };
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return TRANSIENT_ERROR_NAMES.has(e.name ?? '') || TRANSIENT_ERROR_CODES.has(e.code ?? '');
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends messages with `SendMessageBatch`: batches of up to 10 within the size limits, `Failed`
 * entries retried with backoff (only those), whole-request transient errors retried too. Throws
 * when any entry still fails, so the caller's job is redelivered by SQS: nothing is dropped
 * silently, and a repeat is harmless because update ids are deterministic.
 */
export class SqsBatchSender {
  /** `SendMessageBatch` requests made (the SDK's own internal retries are not counted). */
  requestCount = 0;
  readonly #client: SendMessageBatchClient;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #concurrency: number;
  readonly #limits: SqsLimits;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: SqsBatchSenderOptions) {
    this.#client = options.client;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#baseDelayMs = options.baseDelayMs ?? 50;
    this.#maxDelayMs = options.maxDelayMs ?? 2_000;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#limits = options.limits ?? SQS_LIMITS;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
  }

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<void> {
    // Sizes are checked for all messages before the first request: an oversized one fails the
    // call up front instead of after part of the list went out.
    const batches = planBatches(messages, this.#limits);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch) await this.#sendBatch(queueUrl, batch);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, batches.length) }, worker));
  }

  async #sendBatch(queueUrl: string, batch: readonly OutgoingMessage[]): Promise<void> {
    // Entry ids only need to be unique within the request.
    let pending = new Map<string, OutgoingMessage>(batch.map((message, i) => [`m${i}`, message]));
    let lastFailures: BatchResultErrorEntry[] = [];
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      if (attempt > 1) await this.#sleep(this.#backoffMs(attempt - 1));
      let output: SendMessageBatchCommandOutput;
      try {
        this.requestCount += 1;
        output = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entriesOf(pending) }),
        );
      } catch (error) {
        if (!isTransientSqsError(error) || attempt === this.#maxAttempts) throw error;
        continue;
      }
      const failed = output.Failed ?? [];
      if (failed.length === 0) return;
      const senderFaults = failed.filter((entry) => entry.SenderFault);
      if (senderFaults.length > 0) throw sendError(pending, senderFaults, 'refused as invalid');
      const failedIds = new Set(failed.map((entry) => entry.Id));
      pending = new Map([...pending].filter(([id]) => failedIds.has(id)));
      lastFailures = failed;
    }
    throw sendError(pending, lastFailures, `still failed after ${this.#maxAttempts} attempts`);
  }

  #backoffMs(retry: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (retry - 1));
    return Math.round(this.#random() * ceiling);
  }
}

function entriesOf(pending: Map<string, OutgoingMessage>): SendMessageBatchRequestEntry[] {
  return [...pending].map(([id, message]) => ({
    Id: id,
    MessageBody: message.body,
    MessageAttributes: message.attributes,
  }));
}

function sendError(
  pending: Map<string, OutgoingMessage>,
  failed: readonly BatchResultErrorEntry[],
  what: string,
): SqsSendError {
  const failures = failed.map((entry) => ({
    label: pending.get(entry.Id ?? '')?.label ?? String(entry.Id),
    code: entry.Code ?? 'unknown',
    senderFault: entry.SenderFault === true,
  }));
  const summary = failures.map((f) => `${f.label} (${f.code})`).join(', ');
  return new SqsSendError(`SQS entries ${what}: ${summary}`, failures);
}
