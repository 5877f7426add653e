import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ComputeCounts } from '../compute/compute-counts';
import { MessageTooLargeError } from '../compute/message-batches';
import { UPDATE_TYPES } from '../message-types';
import type {
  ChangeRecomputed,
  ChangeRejected,
  ComputeJobIdentity,
  ComputeJobRefused,
  ComputeRecorder,
  RecomputationPlanned,
  SegmentComputed,
} from '../ports/compute';
import { SqsSendError } from './sqs-batch-sender';

/**
 * The summary lines the compute functions log, one per invocation, with their counts. The local
 * stack (`npm start`, `npm run demo`) reads them to report a cycle, so they are named once here.
 */
export const COMPUTE_SUMMARY_MESSAGES = {
  planned: 'recomputation planned',
  segmentComputed: 'segment job computed',
  changeRecomputed: 'change recomputed',
} as const;

/** Counted once per compute job or change event that failed and goes back to SQS for a retry. */
const COMPUTE_JOBS_FAILED_METRIC = 'ComputeJobsFailed';

/** The error line logged for such a failure (one per failed record). */
const COMPUTE_FAILURE_MESSAGE = 'compute job failed';

/** Metrics for a computation's counts (EMF through Powertools). Counts only: no PHI. */
function addComputeMetrics(metrics: Metrics, counts: ComputeCounts): void {
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

/**
 * Our own errors whose messages are built from update ids, job labels (run id, segment), sizes
 * and SQS error codes only, so they can be logged whole.
 */
function ownSafeMessage(error: unknown): string | undefined {
  if (error instanceof SqsSendError || error instanceof MessageTooLargeError) return error.message;
  return undefined;
}

/**
 * `ComputeRecorder` with Powertools: JSON log lines and EMF metrics (stored, published once per
 * invocation by `publish`; a rejected change's count is a single metric with its `reason`).
 */
export class PowertoolsComputeRecorder implements ComputeRecorder {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.logger.info(message, ...extra);
  }

  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.logger.warn(message, ...extra);
  }

  planned(summary: RecomputationPlanned): void {
    this.logger.info(COMPUTE_SUMMARY_MESSAGES.planned, { ...summary });
    this.metrics.addMetric('RecomputationSegmentsPlanned', MetricUnit.Count, summary.totalSegments);
  }

  segmentComputed(summary: SegmentComputed): void {
    addComputeMetrics(this.metrics, summary.counts);
    this.metrics.addMetric('SegmentPages', MetricUnit.Count, summary.pages);
    if (summary.continued) this.metrics.addMetric('ContinuationJobs', MetricUnit.Count, 1);
    this.logger.info(COMPUTE_SUMMARY_MESSAGES.segmentComputed, { ...summary });
  }

  changeRecomputed(summary: ChangeRecomputed): void {
    addComputeMetrics(this.metrics, summary.counts);
    this.logger.info(COMPUTE_SUMMARY_MESSAGES.changeRecomputed, { ...summary });
  }

  changeRejected(rejection: ChangeRejected): void {
    this.logger.warn('change event rejected', { ...rejection });
    const single = this.metrics.singleMetric();
    single.addDimension('reason', rejection.reason);
    single.addMetric('ChangeEventsRejected', MetricUnit.Count, 1);
  }

  jobRefused(refusal: ComputeJobRefused): void {
    this.logger.error('compute job refused', {
      messageId: refusal.messageId,
      error: refusal.detail,
    });
    this.metrics.addMetric('ComputeJobsRefused', MetricUnit.Count, 1);
  }

  /**
   * One error line and a `ComputeJobsFailed` count. Another library's error message (the SDK's,
   * DynamoDB's) can quote what it was given, so only its name is logged; our send errors are
   * logged with their message.
   */
  jobFailed(job: ComputeJobIdentity, error: unknown): void {
    const message = ownSafeMessage(error);
    this.logger.error(COMPUTE_FAILURE_MESSAGE, {
      ...job,
      errorName: error instanceof Error ? error.name : typeof error,
      ...(message === undefined ? {} : { error: message }),
    });
    this.metrics.addMetric(COMPUTE_JOBS_FAILED_METRIC, MetricUnit.Count, 1);
  }

  publish(): void {
    this.metrics.publishStoredMetrics();
  }
}

/**
 * The production recorder: one logger and one metrics store per container; the service name and
 * namespace come from the POWERTOOLS_* variables (created when called, so after they are set).
 */
export function powertoolsComputeRecorder(): PowertoolsComputeRecorder {
  return new PowertoolsComputeRecorder(new Logger(), new Metrics());
}
