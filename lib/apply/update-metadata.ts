/** What the applier knows about an update besides its body (docs/queue-contract.md). */
export interface UpdateMetadata {
  /** Idempotency id: the `update-id` attribute, else the SQS message id. */
  updateId: string;
  /** Ordering version in epoch ms: `computed-at`, else the SQS sent timestamp. */
  version: number;
  protocol?: string;
}

/**
 * How far ahead of the applier's clock a `computed-at` may be. A version in the future would win
 * over every correct update computed until then (they would all be `stale`), so one beyond this is
 * refused as `invalid-attributes`. 15 minutes covers clock skew between producer and applier with
 * a wide margin; a real computation never reports a time that has not come yet.
 */
export const COMPUTED_AT_FUTURE_TOLERANCE_MS = 15 * 60_000;

/** What the applier knows about this delivery of the message. */
export interface Delivery {
  /** SQS `ApproximateReceiveCount`: 1 on the first delivery. */
  receiveCount: number;
}
