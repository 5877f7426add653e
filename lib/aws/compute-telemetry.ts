import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { UPDATE_TYPES } from '../../schemas';
import type { ComputeCounts } from '../compute/compute-counts';
import { SqsSendError } from './sqs-batch-sender';
import { MessageTooLargeError } from '../compute/message-batches';

/** Metrics for a computation's counts (EMF through Powertools). Counts only: no PHI. */
export function addComputeMetrics(metrics: Metrics, counts: ComputeCounts): void {
  metrics.addMetric('PatientsComputed', MetricUnit.Count, counts.patients);
  metrics.addMetric('InvalidPatientRecords', MetricUnit.Count, counts.invalidPatients);
  metrics.addMetric('ProtocolRuns', MetricUnit.Count, counts.protocolRuns);
  metrics.addMetric('ProtocolRunsComputed', MetricUnit.Count, counts.computed);
  metrics.addMetric('ProtocolRunsNotRelevant', MetricUnit.Count, counts.notRelevant);
  metrics.addMetric('ProtocolRunsFailed', MetricUnit.Count, counts.failed);
  for (const type of UPDATE_TYPES)
    metrics.addMetric(`${type}UpdatesEnqueued`, MetricUnit.Count, counts.updates[type]);
  // Computed but held back (the same as the last ones sent), and results written.
  metrics.addMetric('UnchangedUpdatesHeldBack', MetricUnit.Count, counts.unchangedUpdates);
  metrics.addMetric('ProtocolResultsWritten', MetricUnit.Count, counts.resultsWritten);
}

/** Counted once per compute job or change event that failed and goes back to SQS for a retry. */
const COMPUTE_JOBS_FAILED_METRIC = 'ComputeJobsFailed';

/** The error line logged for such a failure (one per failed record). */
const COMPUTE_FAILURE_MESSAGE = 'compute job failed';

/** What identifies the failed job in the log line: ids, positions, counts. Never patient data. */
export type ComputeJobIdentity = Record<string, string | number | undefined>;

/**
 * Our own errors whose messages are built from update ids, job labels (run id, segment), sizes
 * and SQS error codes only, so they can be logged whole.
 */
function ownSafeMessage(error: unknown): string | undefined {
  if (error instanceof SqsSendError || error instanceof MessageTooLargeError) return error.message;
  return undefined;
}

/**
 * Logs one error line for a compute job (a segment job, or a change event) that failed, and
 * counts it in `ComputeJobsFailed`. The caller rethrows, so the record is still reported failed
 * and SQS redelivers it. Another library's error message (the SDK's, DynamoDB's) can quote what
 * it was given, so only its name is logged; our send errors are logged with their message.
 */
export function recordComputeFailure(
  logger: Logger,
  metrics: Metrics,
  job: ComputeJobIdentity,
  error: unknown,
): void {
  const message = ownSafeMessage(error);
  logger.error(COMPUTE_FAILURE_MESSAGE, {
    ...job,
    errorName: error instanceof Error ? error.name : typeof error,
    ...(message === undefined ? {} : { error: message }),
  });
  metrics.addMetric(COMPUTE_JOBS_FAILED_METRIC, MetricUnit.Count, 1);
}

/** One logger per container; the service name comes from `POWERTOOLS_SERVICE_NAME`. */
export function computeLogger(): Logger {
  return new Logger();
}

/**
 * The summary lines the compute functions log, one per invocation, with their counts. The local
 * stack (`npm start`, `npm run demo`) reads them to report a cycle, so they are named once here.
 */
export const COMPUTE_SUMMARY_MESSAGES = {
  planned: 'recomputation planned',
  segmentComputed: 'segment job computed',
  changeRecomputed: 'change recomputed',
} as const;

/**
 * Runs an SQS batch through Powertools' partial-response processor (a failed record is reported,
 * the others acknowledged) and publishes the metrics the records stored, whatever happens.
 */
export async function processSqsBatchWithMetrics(
  event: SQSEvent,
  processRecord: (record: SQSRecord) => Promise<void>,
  metrics: Metrics,
  context: Context | undefined,
): Promise<SQSBatchResponse> {
  try {
    return await processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
