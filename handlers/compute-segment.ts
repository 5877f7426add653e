import { computeJobFunctionDeps } from '../lib/aws/compute-root';
import { createComputeSegmentHandler } from '../lib/compute';

/**
 * SQS-triggered by the compute jobs queue (batch size 1, `ReportBatchItemFailures`): recomputes
 * one segment job (`processComputeJobBatch`). Env: SEGMENT_COMPUTE_ENVIRONMENT in
 * lib/aws/compute-config.ts.
 */
export const handler = createComputeSegmentHandler(computeJobFunctionDeps);
