import { randomUUID } from 'node:crypto';
import { type ComputeJob, ComputeJobSchema, MAX_TOTAL_SEGMENTS } from '../../schemas';
import type { ComputeJobQueue, ComputeRecorder, PatientCounter } from '../ports/compute';

/** How many Scan segments a run uses. See docs/scaling.md for the numbers behind the defaults. */
export interface SegmentPolicy {
  /** Target patients per segment: one segment job should finish well inside the timeout. */
  patientsPerSegment: number;
  /** At least this many segments, even when the approximate count says fewer are needed. */
  minSegments: number;
  /** At most this many (DynamoDB allows 1,000,000). */
  maxSegments: number;
}

export const DEFAULT_SEGMENT_POLICY: SegmentPolicy = {
  patientsPerSegment: 10_000,
  minSegments: 1,
  maxSegments: 10_000,
};

/**
 * Segments for an approximate patient count. The count can be hours stale (DynamoDB refreshes
 * `ItemCount` about every 6 hours); a segment that turns out larger than planned is finished by
 * continuation jobs (recompute-segment.ts), so the estimate only affects parallelism, never
 * coverage.
 */
export function segmentCountFor(approximatePatients: number, policy: SegmentPolicy): number {
  const needed = Math.ceil(Math.max(0, approximatePatients) / policy.patientsPerSegment);
  const max = Math.min(policy.maxSegments, MAX_TOTAL_SEGMENTS);
  return Math.min(max, Math.max(1, policy.minSegments, needed));
}

export interface RecomputationRun {
  /** Stable for the run (the schedule event's id): a retried planner yields the same update ids. */
  runId: string;
  /** The run's instant: every segment computes with it and stamps it as `computed-at`. */
  computedAt: Date;
  /** Send every update, even those equal to the last ones sent (`recompute --all --reassert`). */
  reassert?: boolean;
}

/** The segment jobs of a run: one per segment, each validated against the job schema. */
export function segmentJobs(run: RecomputationRun, totalSegments: number): ComputeJob[] {
  const computedAt = run.computedAt.toISOString();
  return Array.from({ length: totalSegments }, (_, segment) =>
    ComputeJobSchema.parse({
      runId: run.runId,
      computedAt,
      segment,
      totalSegments,
      ...(run.reassert === true ? { reassert: true } : {}),
    }),
  );
}

export interface PlanRecomputationInput {
  run: RecomputationRun;
  counter: PatientCounter;
  jobs: ComputeJobQueue;
  policy: SegmentPolicy;
}

export interface RecomputationPlan {
  approximatePatients: number;
  totalSegments: number;
}

/** Sizes the run from the patient count and enqueues one job per segment. */
export async function planRecomputation(input: PlanRecomputationInput): Promise<RecomputationPlan> {
  const approximatePatients = await input.counter.approximatePatientCount();
  const totalSegments = segmentCountFor(approximatePatients, input.policy);
  await input.jobs.enqueue(segmentJobs(input.run, totalSegments));
  return { approximatePatients, totalSegments };
}

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

export interface PlannerDeps {
  counter: PatientCounter;
  jobs: ComputeJobQueue;
  policy: SegmentPolicy;
  /** What is logged and counted (Powertools in production: `PowertoolsComputeRecorder`). */
  recorder: ComputeRecorder;
}

/**
 * Plans the run a schedule tick (or a manual invocation) asks for. The run id is the event's id,
 * so a retried invocation of the same schedule tick produces the same jobs and the same update
 * ids; the run's instant is the event's time (else now).
 */
export async function planScheduledRecomputation(
  event: PlanRecomputationEvent,
  deps: PlannerDeps,
): Promise<RecomputationPlan & { runId: string }> {
  const runId = event.id ?? randomUUID();
  const parsedTime = event.time ? new Date(event.time) : undefined;
  const computedAt = parsedTime && !Number.isNaN(parsedTime.getTime()) ? parsedTime : new Date();
  const reassert = event.reassert === true;
  const plan = await planRecomputation({
    run: { runId, computedAt, reassert },
    counter: deps.counter,
    jobs: deps.jobs,
    policy: deps.policy,
  });
  deps.recorder.planned({ runId, computedAt: computedAt.toISOString(), reassert, ...plan });
  deps.recorder.publish();
  return { runId, ...plan };
}

/** The planner's handler over its dependencies, built on first use (then per call). */
export function createPlanRecomputationHandler(dependencies: () => PlannerDeps) {
  return (event: PlanRecomputationEvent = {}): Promise<RecomputationPlan & { runId: string }> =>
    planScheduledRecomputation(event, dependencies());
}
