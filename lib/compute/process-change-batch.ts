import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sentTimestampMs } from '../sqs-record';
import { type RecomputeDeps, resultsOf } from './compute-deps';
import { processComputeBatch } from './process-sqs-batch';
import { REASSERT_CHANGE_ATTRIBUTE } from './protocol-results';
import {
  CHANGE_BODY_NOT_JSON,
  type ChangeOutcome,
  type ChangeRejectionReason,
  recomputeOnChange,
} from './recompute-on-change';

export interface ChangeBatchDeps extends RecomputeDeps {
  /**
   * The clock, used only when a record has no valid `SentTimestamp` (Lambda's SQS events always
   * carry one).
   */
  now?: () => Date;
}

type RejectedChange = Extract<ChangeOutcome, { status: 'rejected' }>;

/** A change event that cannot be recomputed; reported failed so redrive moves it to the DLQ. */
export class ChangeRejectedError extends Error {
  override readonly name = 'ChangeRejectedError';
  constructor(readonly reason: ChangeRejectionReason) {
    super(`change event rejected: ${reason}`);
  }
}

/**
 * When the change was enqueued: SQS's `SentTimestamp` (epoch ms), the same on every redelivery, so
 * a redelivered change computes with the same `now` and sends the same `computed-at` as the first
 * delivery (its update ids are the same too). Undefined when absent or not a valid time.
 */
export function changeEnqueuedAt(record: SQSRecord): Date | undefined {
  const sent = sentTimestampMs(record);
  if (sent === undefined) return undefined;
  // A safe integer may still lie past the last instant a Date can hold.
  const time = new Date(sent);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The message attribute of `recompute --patient --reassert` (see `REASSERT_CHANGE_ATTRIBUTE`). */
export const REASSERT_ATTRIBUTE = REASSERT_CHANGE_ATTRIBUTE;

export function reassertRequested(record: SQSRecord): boolean {
  return record.messageAttributes?.[REASSERT_ATTRIBUTE]?.stringValue === 'true';
}

/** The change event in a record's body; a body that is not JSON is a rejection (no quote of it). */
function parseChangeBody(
  record: SQSRecord,
): { ok: true; event: unknown } | { ok: false; rejection: RejectedChange } {
  try {
    return { ok: true, event: JSON.parse(record.body) };
  } catch {
    return {
      ok: false,
      rejection: {
        status: 'rejected',
        reason: 'invalid-change-event',
        detail: CHANGE_BODY_NOT_JSON,
      },
    };
  }
}

/**
 * One change record: recomputes the changed patient, records the outcome, and throws when the
 * record must be reported failed (a rejection, so redrive ends it in the DLQ; or a transient
 * failure reading the patient or sending its updates, so SQS redelivers it).
 */
export async function processChangeRecord(record: SQSRecord, deps: ChangeBatchDeps): Promise<void> {
  const { recorder } = deps;
  const receiveCount = record.attributes?.ApproximateReceiveCount;
  /** Records a rejected event; returns the error that reports the record failed. */
  const rejected = (outcome: RejectedChange) => {
    recorder.changeRejected({
      messageId: record.messageId,
      receiveCount,
      reason: outcome.reason,
      detail: outcome.detail,
      // Present only for a patient the store holds (an id); see ChangeOutcome.
      patientKey: outcome.patientKey,
    });
    return new ChangeRejectedError(outcome.reason);
  };

  const body = parseChangeBody(record);
  if (!body.ok) throw rejected(body.rejection);
  const results = resultsOf(deps);
  let outcome: ChangeOutcome;
  try {
    outcome = await recomputeOnChange({
      event: body.event,
      changeId: record.messageId,
      computedAt: changeEnqueuedAt(record) ?? (deps.now ?? (() => new Date()))(),
      protocols: deps.protocols,
      patients: deps.patients,
      updates: deps.updates,
      results: results && { ...results, reassert: reassertRequested(record) },
      log: recorder,
      settings: deps.settings,
    });
  } catch (error) {
    // Reading the patient or sending its updates failed (after the sender's retries): one line
    // and a count, then the record is reported failed.
    recorder.jobFailed({ messageId: record.messageId, receiveCount }, error);
    throw error;
  }
  if (outcome.status === 'rejected') throw rejected(outcome);
  recorder.changeRecomputed({
    messageId: record.messageId,
    patientKey: outcome.patientKey,
    changeTypes: outcome.changeTypes,
    unknownFieldChangesKeys: outcome.unknownFieldChangesKeys,
    counts: outcome.counts,
  });
}

/**
 * A batch from the changes queue, as a partial batch response: each record recomputes the changed
 * patient with the protocols the change impacts. A rejected event (malformed, change type
 * undeterminable, unknown patient, invalid patient record) is recorded with its reason and
 * reported in `batchItemFailures`: SQS redelivers it up to maxReceiveCount (which also covers a
 * change racing its patient's first write), then moves it to the changes DLQ, where it stays 14
 * days for an operator. Never retried forever, never dropped.
 */
export function processChangeBatch(
  event: SQSEvent,
  deps: ChangeBatchDeps,
  context?: Context,
): Promise<SQSBatchResponse> {
  return processComputeBatch(
    event,
    (record) => processChangeRecord(record, deps),
    deps.recorder,
    context,
  );
}

/** The change function's handler over its dependencies, built on first use (then per call). */
export function createComputeOnChangeHandler(dependencies: () => ChangeBatchDeps) {
  return (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    processChangeBatch(event, dependencies(), context);
}
