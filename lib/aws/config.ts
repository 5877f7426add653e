import { DEFAULT_UNKNOWN_TASK_ATTEMPTS } from '../apply/unknown-task';

/** Reads the handlers' configuration from the environment, naming every missing variable at once. */
function required<K extends string>(
  env: NodeJS.ProcessEnv,
  names: readonly K[],
): Record<K, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(`missing environment variables: ${missing.join(', ')}`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

export interface GroupApplierConfig {
  patientsTable: string;
  groupsTable: string;
  membershipsTable: string;
  deadLetterQueueUrl: string;
}

export interface TaskApplierConfig {
  patientsTable: string;
  tasksTable: string;
  labelsTable: string;
  deadLetterQueueUrl: string;
}

/** The lifecycle appliers' shared settings. */
export interface UnknownTaskGrace {
  /** Deliveries of a message whose task is missing before `unknown-task` (env UNKNOWN_TASK_ATTEMPTS). */
  unknownTaskAttempts: number;
}

export interface TaskUpdateApplierConfig extends UnknownTaskGrace {
  tasksTable: string;
  labelsTable: string;
  deadLetterQueueUrl: string;
}

export interface TaskCommentApplierConfig extends UnknownTaskGrace {
  tasksTable: string;
  taskCommentsTable: string;
  deadLetterQueueUrl: string;
}

export const GROUP_APPLIER_ENV = [
  'PATIENTS_TABLE',
  'GROUPS_TABLE',
  'MEMBERSHIPS_TABLE',
  'GROUP_UPDATES_DLQ_URL',
] as const;

export const TASK_APPLIER_ENV = [
  'PATIENTS_TABLE',
  'TASKS_TABLE',
  'LABELS_TABLE',
  'TASK_UPDATES_DLQ_URL',
] as const;

export const TASK_UPDATE_APPLIER_ENV = [
  'TASKS_TABLE',
  'LABELS_TABLE',
  'TASK_LIFECYCLE_DLQ_URL',
] as const;

export const TASK_COMMENT_APPLIER_ENV = [
  'TASKS_TABLE',
  'TASK_COMMENTS_TABLE',
  'TASK_COMMENTS_DLQ_URL',
] as const;

function unknownTaskGrace(env: NodeJS.ProcessEnv): UnknownTaskGrace {
  const raw = env.UNKNOWN_TASK_ATTEMPTS;
  if (raw === undefined || raw === '')
    return { unknownTaskAttempts: DEFAULT_UNKNOWN_TASK_ATTEMPTS };
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error('environment variable UNKNOWN_TASK_ATTEMPTS must be a positive integer');
  return { unknownTaskAttempts: value };
}

export function readGroupApplierConfig(env: NodeJS.ProcessEnv = process.env): GroupApplierConfig {
  const v = required(env, GROUP_APPLIER_ENV);
  return {
    patientsTable: v.PATIENTS_TABLE,
    groupsTable: v.GROUPS_TABLE,
    membershipsTable: v.MEMBERSHIPS_TABLE,
    deadLetterQueueUrl: v.GROUP_UPDATES_DLQ_URL,
  };
}

export function readTaskApplierConfig(env: NodeJS.ProcessEnv = process.env): TaskApplierConfig {
  const v = required(env, TASK_APPLIER_ENV);
  return {
    patientsTable: v.PATIENTS_TABLE,
    tasksTable: v.TASKS_TABLE,
    labelsTable: v.LABELS_TABLE,
    deadLetterQueueUrl: v.TASK_UPDATES_DLQ_URL,
  };
}

export function readTaskUpdateApplierConfig(
  env: NodeJS.ProcessEnv = process.env,
): TaskUpdateApplierConfig {
  const v = required(env, TASK_UPDATE_APPLIER_ENV);
  return {
    tasksTable: v.TASKS_TABLE,
    labelsTable: v.LABELS_TABLE,
    deadLetterQueueUrl: v.TASK_LIFECYCLE_DLQ_URL,
    ...unknownTaskGrace(env),
  };
}

export function readTaskCommentApplierConfig(
  env: NodeJS.ProcessEnv = process.env,
): TaskCommentApplierConfig {
  const v = required(env, TASK_COMMENT_APPLIER_ENV);
  return {
    tasksTable: v.TASKS_TABLE,
    taskCommentsTable: v.TASK_COMMENTS_TABLE,
    deadLetterQueueUrl: v.TASK_COMMENTS_DLQ_URL,
    ...unknownTaskGrace(env),
  };
}
