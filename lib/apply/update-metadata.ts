/** What the applier knows about an update besides its body (docs/queue-contract.md). */
export interface UpdateMetadata {
  /** Idempotency id: the `update-id` attribute, else the SQS message id. */
  updateId: string;
  /** Ordering version in epoch ms: `computed-at`, else the SQS sent timestamp. */
  version: number;
  protocol?: string;
}
