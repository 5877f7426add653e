import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { UpdateOfType, UpdateType } from '../../schemas';
import type { DeadLetterQueue } from '../ports';
import type { OutcomeRecorder } from '../ports/outcome-recorder';
import { buildDeadLetter } from './dead-letter';
import { classifyFailure, DeadLetterSendError, errorName } from './failure-reason';
import type { ApplyResult, RecordResult, Rejection } from './outcomes';
import { parseUpdateRecord } from './parse-update-record';
import type { Delivery, UpdateMetadata } from './update-metadata';

/** An applier for one message type: applies a valid update, throws on a transient failure. */
export interface UpdateApplier<T extends UpdateType> {
  queueType: T;
  apply(update: UpdateOfType<T>, meta: UpdateMetadata, delivery: Delivery): Promise<ApplyResult>;
}

/** The delivery facts of a record; a missing or odd count reads as a first delivery. */
export function deliveryOf(record: SQSRecord): Delivery {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return { receiveCount: Number.isSafeInteger(count) && count > 0 ? count : 1 };
}

export interface BatchDeps<T extends UpdateType> {
  applier: UpdateApplier<T>;
  deadLetters: DeadLetterQueue;
  recorder: OutcomeRecorder;
  now: () => Date;
}

/**
 * One record, start to end. Never throws: a transient failure comes back as `retried`.
 * A rejection is acknowledged only once the DLQ holds the message; if that send fails, the record
 * is retried instead, so nothing is lost.
 */
export async function processUpdateRecord<T extends UpdateType>(
  record: SQSRecord,
  deps: BatchDeps<T>,
): Promise<RecordResult> {
  const parsed = parseUpdateRecord(record, deps.applier.queueType, deps.now());
  const base = { messageId: record.messageId, updateId: parsed.meta.updateId };

  const deadLetter = async (
    rejection: Rejection,
    result: Omit<RecordResult, 'messageId' | 'updateId' | 'outcome'>,
  ): Promise<RecordResult> => {
    const message = buildDeadLetter({
      record,
      rejection,
      meta: parsed.meta,
      // An applier only sees a record whose attributes all followed the contract.
      attributesValid: parsed.ok || parsed.attributesValid,
      rejectedAt: deps.now(),
    });
    try {
      await deps.deadLetters.send(message);
    } catch (error) {
      return {
        ...base,
        ...result,
        outcome: 'retried',
        reason: classifyFailure(new DeadLetterSendError('DLQ send failed', { cause: error })),
        detail: `rejected (${rejection.code}) but the DLQ send failed; retrying`,
        errorName: errorName(error),
      };
    }
    return {
      ...base,
      ...result,
      outcome: 'rejected',
      reason: rejection.code,
      detail: rejection.detail,
    };
  };

  if (!parsed.ok) return deadLetter(parsed.rejection, {});

  let applied: ApplyResult;
  try {
    applied = await deps.applier.apply(parsed.update, parsed.meta, deliveryOf(record));
  } catch (error) {
    return {
      ...base,
      outcome: 'retried',
      reason: classifyFailure(error),
      errorName: errorName(error),
    };
  }
  const subject = applied.subject ? { subject: applied.subject } : {};
  if (applied.outcome === 'rejected') return deadLetter(applied.rejection, subject);
  return {
    ...base,
    ...subject,
    outcome: applied.outcome,
    ...(applied.detail === undefined ? {} : { detail: applied.detail }),
  };
}

/** Tells the batch processor to report the record as a batch item failure. */
class RetryRecordError extends Error {
  override readonly name = 'RetryRecordError';
}

/**
 * A batch from the type's queue, as a partial batch response (`ReportBatchItemFailures`): records
 * that were applied, were no-ops, stale, or rejected and dead-lettered are acknowledged; records
 * that hit a transient failure are reported so SQS redelivers them. Every record's result goes to
 * the recorder.
 */
export async function processUpdateBatch<T extends UpdateType>(
  event: SQSEvent,
  deps: BatchDeps<T>,
  context?: Context,
): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const result = await processUpdateRecord(record, deps);
    deps.recorder.record(result);
    if (result.outcome === 'retried') throw new RetryRecordError(result.reason);
  };
  // A batch where every record failed is a normal answer here, not an invocation error.
  return processPartialResponse(event, handleRecord, processor, {
    ...(context ? { context } : {}),
    throwOnFullBatchFailure: false,
  });
}
