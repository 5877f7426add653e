/**
 * The one place that decides what a thrown error means. Rejections are values, never thrown, so
 * every thrown error is transient: the record is reported as a batch item failure and SQS
 * redelivers it; after `maxReceiveCount` the redrive policy moves it to the DLQ. This function
 * only names the cause for logs and metrics.
 */
export type RetryReason =
  | 'throttled'
  | 'transaction-conflict'
  | 'contention'
  | 'task-not-found'
  | 'service-unavailable'
  | 'network'
  | 'dead-letter-send-failed'
  | 'unknown';

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'ProvisionedThroughputExceeded',
  'ThrottlingError',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  // Ours (lib/aws/batch-get-items.ts): BatchGetItem still left keys unprocessed after its retries,
  // which DynamoDB does when the table is throttling the request.
  'UnprocessedKeysError',
]);
const SERVICE = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Marks an error raised while sending to the DLQ, so a retry is not blamed on the store. */
export class DeadLetterSendError extends Error {
  override readonly name = 'DeadLetterSendError';
}

/** Walks `cause` chains and AggregateErrors (the SDK wraps socket errors). */
function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    yield record;
    queue.push(record.cause);
    if (Array.isArray(record.errors)) queue.push(...record.errors);
  }
}

export function classifyFailure(error: unknown): RetryReason {
  if (error instanceof DeadLetterSendError) return 'dead-letter-send-failed';
  for (const e of errorChain(error)) {
    const name = String(e.name ?? '');
    const code = String(e.code ?? e.Code ?? '');
    if (name === 'TransactionConflict' || code === 'TransactionConflict')
      return 'transaction-conflict';
    if (name === 'MembershipContentionError' || name === 'TaskContentionError') return 'contention';
    if (name === 'TaskNotFoundYet') return 'task-not-found';
    if (THROTTLING.has(name) || THROTTLING.has(code)) return 'throttled';
    if (SERVICE.has(name) || SERVICE.has(code)) return 'service-unavailable';
    if (NETWORK_CODES.has(code) || NETWORK_NAMES.has(name)) return 'network';
    if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return 'network';
  }
  return 'unknown';
}

/** The error's name, safe to log (messages may quote data). */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error;
}
