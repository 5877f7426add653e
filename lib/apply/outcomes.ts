/**
 * Why a record can never succeed. Stable codes: they ride in the DLQ's `rejection-reason`
 * attribute and in metrics, so operators and alarms can depend on them.
 */
export const REJECTION_CODES = [
  'invalid-json',
  'invalid-attributes',
  'schema',
  'wrong-queue',
  'unknown-group',
  'inactive-group',
  'unknown-patient',
  'inactive-label',
  'unknown-task',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** A permanent refusal. `detail` is for a human and never carries values from the message. */
export interface Rejection {
  code: RejectionCode;
  detail: string;
}

/** What happened to one record. */
export const OUTCOMES = ['applied', 'no-op', 'stale', 'rejected', 'retried'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Identifiers worth logging (never names, titles, label text). */
export interface LogSubject {
  groupId?: string;
  taskId?: string;
}

/** What an applier reports for a valid update; transient failures are thrown instead. */
export type ApplyResult =
  | { outcome: 'applied' | 'no-op' | 'stale'; subject?: LogSubject; detail?: string }
  | { outcome: 'rejected'; rejection: Rejection; subject?: LogSubject };

/** One record's result, as logged and counted. */
export interface RecordResult {
  messageId: string;
  /** The effective idempotency id (the `update-id` attribute or the SQS message id). */
  updateId: string;
  outcome: Outcome;
  /** The rejection code, or why the record is retried. */
  reason?: string;
  /** Readable, without message values. */
  detail?: string;
  subject?: LogSubject;
  /** Name of the error behind a retry, for diagnosis. */
  errorName?: string;
}
