import { z } from 'zod';
import { DEFAULT_SEGMENT_POLICY, type SegmentPolicy } from '../compute/plan-recomputation';
import { DEFAULT_REASSERT_AFTER_MS } from '../compute/protocol-results';
import { DEFAULT_SEGMENT_BUDGET, type SegmentBudget } from '../compute/recompute-segment';
import {
  durationVariable,
  parseEnvironment,
  positiveIntegerVariable,
  requiredVariable,
} from '../environment';
import { MESSAGE_TYPES, TABLES } from '../message-types';
import { ProtocolSettings } from '../protocol/settings';
import type { UpdateQueueUrls } from './sqs-update-queue';

/**
 * The compute functions' settings: one zod schema per function over the environment serverless.yml
 * gives it (`lib/environment.ts` parses and names every missing or malformed variable at once).
 */

type Env = Record<string, string | undefined>;

/** One queue URL variable per message type (`<TYPE>_QUEUE_URL`), from the registry. */
export { UPDATE_QUEUE_URL_ENV } from '../message-types';

/** `COMPUTE_JOBS_QUEUE_URL`: the planner's jobs, the segment function's continuations. */
export const COMPUTE_JOBS_QUEUE_URL_ENV = 'COMPUTE_JOBS_QUEUE_URL';

/** The update queues' variables, each required. */
const updateQueueVariables = z.object(
  Object.fromEntries(MESSAGE_TYPES.map((entry) => [entry.env.queueUrl, requiredVariable])),
);

/** The parsed queue variables, by type (the schema required each). */
function updateQueueUrls(parsed: object): UpdateQueueUrls {
  const values = parsed as Record<string, string>;
  return Object.fromEntries(
    MESSAGE_TYPES.map((entry) => [entry.wireName, values[entry.env.queueUrl]]),
  ) as UpdateQueueUrls;
}

/** `PROTOCOL_SETTINGS`: read after the schema, so its own messages (naming the key) stand. */
const settingsVariable = { PROTOCOL_SETTINGS: z.string().optional() };

/** What recording results needs: the table and how often unchanged updates are re-asserted. */
const resultsVariables = {
  [TABLES.protocolResults.env]: requiredVariable,
  /** `24h`, `90m`, `3600s`, `1d` (the `reassertAfter` stage param). */
  REASSERT_AFTER: durationVariable(DEFAULT_REASSERT_AFTER_MS),
};

/** The planner (`planRecomputation`). */
export const PLANNER_ENVIRONMENT = z.object({
  [TABLES.patients.env]: requiredVariable,
  [COMPUTE_JOBS_QUEUE_URL_ENV]: requiredVariable,
  COMPUTE_PATIENTS_PER_SEGMENT: positiveIntegerVariable(DEFAULT_SEGMENT_POLICY.patientsPerSegment),
  COMPUTE_MIN_SEGMENTS: positiveIntegerVariable(DEFAULT_SEGMENT_POLICY.minSegments),
  COMPUTE_MAX_SEGMENTS: positiveIntegerVariable(DEFAULT_SEGMENT_POLICY.maxSegments),
});

/** The segment job function (`computeSegment`). */
export const SEGMENT_COMPUTE_ENVIRONMENT = z.object({
  [TABLES.patients.env]: requiredVariable,
  ...resultsVariables,
  [COMPUTE_JOBS_QUEUE_URL_ENV]: requiredVariable,
  ...updateQueueVariables.shape,
  COMPUTE_PAGE_SIZE: positiveIntegerVariable(DEFAULT_SEGMENT_BUDGET.pageSize),
  COMPUTE_TIME_RESERVE_MS: positiveIntegerVariable(DEFAULT_SEGMENT_BUDGET.reserveMs),
  ...settingsVariable,
});

/** The change function (`computeOnChange`). */
export const CHANGE_COMPUTE_ENVIRONMENT = z.object({
  [TABLES.patients.env]: requiredVariable,
  ...resultsVariables,
  ...updateQueueVariables.shape,
  ...settingsVariable,
});

export interface PlannerConfig {
  patientsTable: string;
  computeJobsQueueUrl: string;
  /** Optional `COMPUTE_PATIENTS_PER_SEGMENT`, `COMPUTE_MIN_SEGMENTS`, `COMPUTE_MAX_SEGMENTS`. */
  segmentPolicy: SegmentPolicy;
}

/** Where results are recorded, and how often unchanged updates are re-asserted. */
export interface ResultsConfig {
  protocolResultsTable: string;
  /** Optional `REASSERT_AFTER` (default 24h). */
  reassertAfterMs: number;
}

/** What both recomputing functions read: the patients, the update queues, results and settings. */
export interface RecomputeConfig extends ResultsConfig {
  patientsTable: string;
  updateQueueUrls: UpdateQueueUrls;
  /** The protocols' settings, from `PROTOCOL_SETTINGS` (the `protocolSettings` stage param). */
  settings: ProtocolSettings;
}

export interface SegmentComputeConfig extends RecomputeConfig {
  computeJobsQueueUrl: string;
  /** Optional `COMPUTE_PAGE_SIZE`, `COMPUTE_TIME_RESERVE_MS`. */
  segmentBudget: SegmentBudget;
}

export type ChangeComputeConfig = RecomputeConfig;

export function readPlannerConfig(env: Env = process.env): PlannerConfig {
  const v = parseEnvironment(PLANNER_ENVIRONMENT, env);
  return {
    patientsTable: v[TABLES.patients.env],
    computeJobsQueueUrl: v[COMPUTE_JOBS_QUEUE_URL_ENV],
    segmentPolicy: {
      patientsPerSegment: v.COMPUTE_PATIENTS_PER_SEGMENT,
      minSegments: v.COMPUTE_MIN_SEGMENTS,
      maxSegments: v.COMPUTE_MAX_SEGMENTS,
    },
  };
}

/** The shared part of the two recomputing functions' parsed environments. */
function recomputeConfig(v: z.infer<typeof CHANGE_COMPUTE_ENVIRONMENT>): RecomputeConfig {
  return {
    patientsTable: v[TABLES.patients.env],
    protocolResultsTable: v[TABLES.protocolResults.env],
    reassertAfterMs: v.REASSERT_AFTER,
    updateQueueUrls: updateQueueUrls(v),
    settings: ProtocolSettings.fromEnvironment({ PROTOCOL_SETTINGS: v.PROTOCOL_SETTINGS }),
  };
}

export function readSegmentComputeConfig(env: Env = process.env): SegmentComputeConfig {
  const v = parseEnvironment(SEGMENT_COMPUTE_ENVIRONMENT, env);
  return {
    ...recomputeConfig(v),
    computeJobsQueueUrl: v[COMPUTE_JOBS_QUEUE_URL_ENV],
    segmentBudget: { pageSize: v.COMPUTE_PAGE_SIZE, reserveMs: v.COMPUTE_TIME_RESERVE_MS },
  };
}

export function readChangeComputeConfig(env: Env = process.env): ChangeComputeConfig {
  return recomputeConfig(parseEnvironment(CHANGE_COMPUTE_ENVIRONMENT, env));
}
