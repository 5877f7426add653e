import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { UPDATE_TYPES } from '../../schemas';
import type { ComputeCounts } from '../compute/compute-counts';

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
