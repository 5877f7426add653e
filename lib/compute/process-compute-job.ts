import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ComputeJob, ComputeJobSchema } from '../../schemas';
import type { ComputeJobQueue } from '../ports/compute';
import { rejectionDetail } from '../validation-error';
import { type RecomputeDeps, resultsOf } from './compute-deps';
import { processComputeBatch } from './process-sqs-batch';
import { recomputeSegment, type SegmentBudget, type SegmentOutcome } from './recompute-segment';

export interface ComputeJobDeps extends RecomputeDeps {
  /** Where a continuation job goes (the compute jobs queue). */
  jobs: ComputeJobQueue;
  budget: SegmentBudget;
}

/** A job message the schema refuses: redelivery cannot fix it, the DLQ keeps it for a look. */
export class InvalidComputeJobError extends Error {
  override readonly name = 'InvalidComputeJobError';
}

/** The job in a record's body, or `InvalidComputeJobError` naming fields (never values). */
export function parseComputeJob(record: SQSRecord): ComputeJob {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidComputeJobError('compute job: body is not JSON');
  }
  const parsed = ComputeJobSchema.safeParse(body);
  if (!parsed.success)
    throw new InvalidComputeJobError(`compute job: ${rejectionDetail(parsed.error, ['startKey'])}`);
  return parsed.data;
}

/**
 * One job record: recomputes its segment (or the rest of it), records the outcome, and throws
 * when the record must be reported failed (a refused job; a send still failing after retries,
 * DynamoDB failing, ...), so SQS redelivers it and, after maxReceiveCount, moves it to the DLQ.
 */
export async function processComputeJobRecord(
  record: SQSRecord,
  deps: ComputeJobDeps,
  remainingTimeMs: () => number,
): Promise<void> {
  const { recorder } = deps;
  let job: ComputeJob;
  try {
    job = parseComputeJob(record);
  } catch (error) {
    recorder.jobRefused({ messageId: record.messageId, detail: (error as Error).message });
    throw error;
  }
  const started = Date.now();
  let outcome: SegmentOutcome;
  try {
    outcome = await recomputeSegment({
      job,
      protocols: deps.protocols,
      patients: deps.patients,
      updates: deps.updates,
      jobs: deps.jobs,
      results: resultsOf(deps),
      remainingTimeMs,
      budget: deps.budget,
      log: recorder,
      settings: deps.settings,
    });
  } catch (error) {
    recorder.jobFailed(
      {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        runId: job.runId,
        segment: job.segment,
        totalSegments: job.totalSegments,
        continuation: job.continuation ?? 0,
      },
      error,
    );
    throw error;
  }
  recorder.segmentComputed({
    runId: job.runId,
    segment: job.segment,
    totalSegments: job.totalSegments,
    continuation: job.continuation ?? 0,
    reassert: job.reassert === true,
    continued: outcome.continuation !== undefined,
    pages: outcome.pages,
    durationMs: Date.now() - started,
    counts: outcome.counts,
  });
}

/**
 * A batch from the compute jobs queue (batch size 1), as a partial batch response: each record
 * recomputes one segment job within the invocation's remaining time.
 */
export function processComputeJobBatch(
  event: SQSEvent,
  deps: ComputeJobDeps,
  context: Context,
): Promise<SQSBatchResponse> {
  return processComputeBatch(
    event,
    (record) => processComputeJobRecord(record, deps, () => context.getRemainingTimeInMillis()),
    deps.recorder,
    context,
  );
}

/** The segment function's handler over its dependencies, built on first use (then per call). */
export function createComputeSegmentHandler(dependencies: () => ComputeJobDeps) {
  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processComputeJobBatch(event, dependencies(), context);
}
