/** What the applier knows about an update besides its body (docs/queue-contract.md). */
export interface UpdateMetadata {
  /** Idempotency id: the `update-id` attribute, else the SQS message id. */
  updateId: string;
  /** Ordering version in epoch ms: `computed-at`, else the SQS sent timestamp. */
  version: number;
  protocol?: string;
}

/** What the applier knows about this delivery of the message. */
export interface Delivery {
  /** SQS `ApproximateReceiveCount`: 1 on the first delivery. */
  receiveCount: number;
}
