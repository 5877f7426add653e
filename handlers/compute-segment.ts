import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { awsClients } from '../lib/aws/clients';
import { readSegmentComputeConfig } from '../lib/aws/compute-config';
import {
  addComputeMetrics,
  COMPUTE_SUMMARY_MESSAGES,
  computeLogger,
  processSqsBatchWithMetrics,
  recordComputeFailure,
} from '../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../lib/aws/dynamodb-patient-source';
import { DynamoDbProtocolResultStore } from '../lib/aws/dynamodb-protocol-result-store';
import { SqsBatchSender } from '../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue, SqsUpdateQueue } from '../lib/aws/sqs-update-queue';
import {
  type ComputeJobQueue,
  DEFAULT_REASSERT_AFTER_MS,
  type PatientSource,
  type ProtocolResultStore,
  recomputeSegment,
  type SegmentBudget,
  type SegmentOutcome,
  type UpdateQueue,
} from '../lib/compute';
import type { ProtocolClass, ProtocolSettings } from '../lib/protocol';
import { rejectionDetail } from '../lib/validation-error';
import { PROTOCOLS } from '../protocols';
import { ComputeJobSchema } from '../schemas';

export interface ComputeSegmentDependencies {
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  jobs: ComputeJobQueue;
  /**
   * The protocol results table: results recorded, unchanged updates held back. The deployed
   * function always has it; absent (tests of the send path alone): every update is sent and
   * nothing is recorded.
   */
  results?: ProtocolResultStore;
  /** `reassertAfter`: unchanged updates are sent again after this long (default 24 h). */
  reassertAfterMs?: number;
  budget: SegmentBudget;
  logger: Logger;
  metrics: Metrics;
  /** The protocols' settings (`PROTOCOL_SETTINGS`); default: none. */
  settings?: ProtocolSettings;
}

/** A job message the schema refuses: redelivery cannot fix it, the DLQ keeps it for a look. */
class InvalidComputeJobError extends Error {
  override readonly name = 'InvalidComputeJobError';
}

function parseJob(record: SQSRecord) {
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
 * SQS-triggered by the compute jobs queue (batch size 1): recomputes one segment job. A job that
 * fails (an enqueue still failing after retries, DynamoDB down, a malformed job) is reported in
 * `batchItemFailures`, so SQS redelivers it and, after maxReceiveCount, moves it to the DLQ.
 */
export function createComputeSegmentHandler(dependencies: () => ComputeSegmentDependencies) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deps = dependencies();
    const { logger, metrics } = deps;
    const processRecord = async (record: SQSRecord) => {
      let job: ReturnType<typeof parseJob>;
      try {
        job = parseJob(record);
      } catch (error) {
        logger.error('compute job refused', {
          messageId: record.messageId,
          error: (error as Error).message,
        });
        metrics.addMetric('ComputeJobsRefused', MetricUnit.Count, 1);
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
          results: deps.results && {
            store: deps.results,
            reassertAfterMs: deps.reassertAfterMs ?? DEFAULT_REASSERT_AFTER_MS,
          },
          remainingTimeMs: () => context.getRemainingTimeInMillis(),
          budget: deps.budget,
          log: logger,
          settings: deps.settings,
        });
      } catch (error) {
        // A send still failing after the sender's retries, DynamoDB failing, ...: one line and a
        // count, then the job is reported failed as before and SQS redelivers it.
        recordComputeFailure(
          logger,
          metrics,
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
      addComputeMetrics(metrics, outcome.counts);
      metrics.addMetric('SegmentPages', MetricUnit.Count, outcome.pages);
      if (outcome.continuation) metrics.addMetric('ContinuationJobs', MetricUnit.Count, 1);
      logger.info(COMPUTE_SUMMARY_MESSAGES.segmentComputed, {
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
    };
    return processSqsBatchWithMetrics(event, processRecord, metrics, context);
  };
}

let defaults: ComputeSegmentDependencies | undefined;

/** Created once per container, on first use (so importing the module reads no environment). */
function defaultDependencies(): ComputeSegmentDependencies {
  if (!defaults) {
    const config = readSegmentComputeConfig();
    const { documents, sqs } = awsClients();
    const sender = new SqsBatchSender({ client: sqs });
    defaults = {
      protocols: PROTOCOLS,
      patients: new DynamoDbPatientSource(documents, config.patientsTable),
      updates: new SqsUpdateQueue(sender, config.updateQueueUrls),
      jobs: new SqsComputeJobQueue(sender, config.computeJobsQueueUrl),
      results: new DynamoDbProtocolResultStore(documents, config.protocolResultsTable),
      reassertAfterMs: config.reassertAfterMs,
      budget: config.segmentBudget,
      settings: config.settings,
      logger: computeLogger(),
      metrics: new Metrics(),
    };
  }
  return defaults;
}

export const handler = createComputeSegmentHandler(defaultDependencies);
