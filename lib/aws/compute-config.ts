import { DEFAULT_SEGMENT_POLICY, type SegmentPolicy } from '../compute/plan-recomputation';
import { DEFAULT_REASSERT_AFTER_MS } from '../compute/protocol-results';
import { DEFAULT_SEGMENT_BUDGET, type SegmentBudget } from '../compute/recompute-segment';
import { UPDATE_QUEUE_URL_ENV, UPDATE_TYPES } from '../message-types';
import { ProtocolSettings } from '../protocol/settings';
import type { UpdateQueueUrls } from './sqs-update-queue';

/** The compute handlers' settings, from the environment serverless.yml gives them. */

type Env = Record<string, string | undefined>;

/** Names every missing variable at once. */
function required<K extends string>(env: Env, names: readonly K[]): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`missing environment variables: ${missing.join(', ')}`);
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`environment variable ${name} must be a positive integer`);
  return value;
}

/** `REASSERT_AFTER`: a duration such as `24h`, `90m`, `3600s` or `1d` (serverless.yml param). */
export function parseDuration(name: string, raw: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(raw.trim());
  const units = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const value = match ? Number(match[1]) * units[match[2] as keyof typeof units] : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(
      `environment variable ${name} must be a duration such as 24h, 90m, 3600s or 1d`,
    );
  return value;
}

function reassertAfterMs(env: Env): number {
  const raw = env.REASSERT_AFTER;
  return raw === undefined || raw === ''
    ? DEFAULT_REASSERT_AFTER_MS
    : parseDuration('REASSERT_AFTER', raw);
}

/** One queue URL per message type, from the registry (docs/queue-contract.md). */
export { UPDATE_QUEUE_URL_ENV };

const UPDATE_QUEUE_ENV = UPDATE_TYPES.map((type) => UPDATE_QUEUE_URL_ENV[type]);

function updateQueueUrls(v: Record<(typeof UPDATE_QUEUE_ENV)[number], string>): UpdateQueueUrls {
  return Object.fromEntries(
    UPDATE_TYPES.map((type) => [type, v[UPDATE_QUEUE_URL_ENV[type]]]),
  ) as UpdateQueueUrls;
}

export const PLANNER_ENV = ['PATIENTS_TABLE', 'COMPUTE_JOBS_QUEUE_URL'] as const;
export const SEGMENT_COMPUTE_ENV = [
  'PATIENTS_TABLE',
  'PROTOCOL_RESULTS_TABLE',
  'COMPUTE_JOBS_QUEUE_URL',
  ...UPDATE_QUEUE_ENV,
] as const;
export const CHANGE_COMPUTE_ENV = [
  'PATIENTS_TABLE',
  'PROTOCOL_RESULTS_TABLE',
  ...UPDATE_QUEUE_ENV,
] as const;

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

export interface SegmentComputeConfig extends ResultsConfig {
  patientsTable: string;
  computeJobsQueueUrl: string;
  updateQueueUrls: UpdateQueueUrls;
  /** Optional `COMPUTE_PAGE_SIZE`, `COMPUTE_TIME_RESERVE_MS`. */
  segmentBudget: SegmentBudget;
  /** The protocols' settings, from `PROTOCOL_SETTINGS` (the `protocolSettings` stage param). */
  settings: ProtocolSettings;
}

export interface ChangeComputeConfig extends ResultsConfig {
  patientsTable: string;
  updateQueueUrls: UpdateQueueUrls;
  /** The protocols' settings, from `PROTOCOL_SETTINGS` (the `protocolSettings` stage param). */
  settings: ProtocolSettings;
}

export function readPlannerConfig(env: Env = process.env): PlannerConfig {
  const v = required(env, PLANNER_ENV);
  return {
    patientsTable: v.PATIENTS_TABLE,
    computeJobsQueueUrl: v.COMPUTE_JOBS_QUEUE_URL,
    segmentPolicy: {
      patientsPerSegment: positiveInt(
        env,
        'COMPUTE_PATIENTS_PER_SEGMENT',
        DEFAULT_SEGMENT_POLICY.patientsPerSegment,
      ),
      minSegments: positiveInt(env, 'COMPUTE_MIN_SEGMENTS', DEFAULT_SEGMENT_POLICY.minSegments),
      maxSegments: positiveInt(env, 'COMPUTE_MAX_SEGMENTS', DEFAULT_SEGMENT_POLICY.maxSegments),
    },
  };
}

export function readSegmentComputeConfig(env: Env = process.env): SegmentComputeConfig {
  const v = required(env, SEGMENT_COMPUTE_ENV);
  return {
    patientsTable: v.PATIENTS_TABLE,
    protocolResultsTable: v.PROTOCOL_RESULTS_TABLE,
    reassertAfterMs: reassertAfterMs(env),
    computeJobsQueueUrl: v.COMPUTE_JOBS_QUEUE_URL,
    updateQueueUrls: updateQueueUrls(v),
    segmentBudget: {
      pageSize: positiveInt(env, 'COMPUTE_PAGE_SIZE', DEFAULT_SEGMENT_BUDGET.pageSize),
      reserveMs: positiveInt(env, 'COMPUTE_TIME_RESERVE_MS', DEFAULT_SEGMENT_BUDGET.reserveMs),
    },
    settings: ProtocolSettings.fromEnvironment(env),
  };
}

export function readChangeComputeConfig(env: Env = process.env): ChangeComputeConfig {
  const v = required(env, CHANGE_COMPUTE_ENV);
  return {
    patientsTable: v.PATIENTS_TABLE,
    protocolResultsTable: v.PROTOCOL_RESULTS_TABLE,
    reassertAfterMs: reassertAfterMs(env),
    updateQueueUrls: updateQueueUrls(v),
    settings: ProtocolSettings.fromEnvironment(env),
  };
}
