import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** One cancellation reason: the code, and the item a failed condition returned (`ALL_OLD`). */
export interface CancellationReason {
  code: string;
  hasItem: boolean;
  /** As DynamoDB sent it (plain AttributeValues); absent when the condition returned none. */
  item?: Record<string, AttributeValue>;
}

/**
 * The per-item reasons of a cancelled transaction, in request order; undefined for any other
 * error. `None` marks an item that did not cause the cancellation.
 */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  const cancelled =
    error instanceof TransactionCanceledException ||
    (error as { name?: string } | null)?.name === 'TransactionCanceledException';
  if (!cancelled) return undefined;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.map((reason) => {
    const hasItem = reason.Item !== undefined && Object.keys(reason.Item).length > 0;
    return { code: reason.Code ?? 'None', hasItem, ...(hasItem ? { item: reason.Item } : {}) };
  });
}

export const CONDITION_FAILED = 'ConditionalCheckFailed';

/**
 * A transaction cancelled for a reason other than our conditions (conflict with another
 * transaction, throttling, ...). Transient; `code` carries DynamoDB's reason for classification.
 */
export class TransactionInterruptedError extends Error {
  override readonly name: string;
  readonly code: string;

  constructor(code: string, options?: ErrorOptions) {
    super(`transaction cancelled: ${code}`, options);
    // `TransactionConflict` keeps its own name: the classifier and the logs know it.
    this.name = code === 'TransactionConflict' ? 'TransactionConflict' : 'TransactionInterrupted';
    this.code = code;
  }
}

/** Throws a transient error when a reason is neither `None` nor a failed condition. */
export function throwIfInterrupted(reasons: readonly CancellationReason[], cause: unknown): void {
  const other = reasons.find((r) => r.code !== 'None' && r.code !== CONDITION_FAILED);
  if (other) throw new TransactionInterruptedError(other.code, { cause });
}
