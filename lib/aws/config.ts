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
