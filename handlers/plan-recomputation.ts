import { plannerFunctionDeps } from '../lib/aws/compute-root';
import { createPlanRecomputationHandler } from '../lib/compute';

/**
 * Scheduled: plans a recomputation of every protocol for every patient, one job per Scan segment
 * on the compute jobs queue (`planScheduledRecomputation`). Env: PLANNER_ENVIRONMENT in
 * lib/aws/compute-config.ts.
 */
export const handler = createPlanRecomputationHandler(plannerFunctionDeps);
