import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { awsClients } from '../lib/aws/clients';
import { readPlannerConfig } from '../lib/aws/compute-config';
import { COMPUTE_SUMMARY_MESSAGES, computeLogger } from '../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue } from '../lib/aws/sqs-update-queue';
import {
  type ComputeJobQueue,
  type PatientCounter,
  planRecomputation,
  type RecomputationPlan,
  type SegmentPolicy,
} from '../lib/compute';

/** The scheduled event's fields the planner reads (EventBridge gives both; a manual call may not). */
export interface PlanRecomputationEvent {
  id?: string;
  time?: string;
  /**
   * A manual invocation only (`aws lambda invoke`, the bench): send every update, even those
   * equal to the last ones sent. Schedule events never carry it.
   */
  reassert?: boolean;
}

export interface PlanRecomputationDependencies {
  counter: PatientCounter;
  jobs: ComputeJobQueue;
  policy: SegmentPolicy;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Scheduled: plans a recomputation of every protocol for every patient by enqueueing one job per
 * Scan segment on the compute jobs queue. The run id is the schedule event's id, so a retried
 * invocation of the same schedule tick produces the same jobs and the same update ids.
 */
export function createPlanRecomputationHandler(dependencies: () => PlanRecomputationDependencies) {
  return async (
    event: PlanRecomputationEvent = {},
  ): Promise<RecomputationPlan & { runId: string }> => {
    const { counter, jobs, policy, logger, metrics } = dependencies();
    const runId = event.id ?? randomUUID();
    const parsedTime = event.time ? new Date(event.time) : undefined;
    const computedAt = parsedTime && !Number.isNaN(parsedTime.getTime()) ? parsedTime : new Date();
    const reassert = event.reassert === true;
    const plan = await planRecomputation({
      run: { runId, computedAt, reassert },
      counter,
      jobs,
      policy,
    });
    logger.info(COMPUTE_SUMMARY_MESSAGES.planned, {
      runId,
      computedAt: computedAt.toISOString(),
      reassert,
      ...plan,
    });
    metrics.addMetric('RecomputationSegmentsPlanned', MetricUnit.Count, plan.totalSegments);
    metrics.publishStoredMetrics();
    return { runId, ...plan };
  };
}

let defaults: PlanRecomputationDependencies | undefined;

/** Created once per container, on first use (so importing the module reads no environment). */
function defaultDependencies(): PlanRecomputationDependencies {
  if (!defaults) {
    const config = readPlannerConfig();
    const { documents, sqs } = awsClients();
    defaults = {
      counter: new DynamoDbPatientSource(documents, config.patientsTable),
      jobs: new SqsComputeJobQueue(new SqsBatchSender({ client: sqs }), config.computeJobsQueueUrl),
      policy: config.segmentPolicy,
      logger: computeLogger(),
      metrics: new Metrics(),
    };
  }
  return defaults;
}

export const handler = createPlanRecomputationHandler(defaultDependencies);
