import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { kitDateTimeUtc, type TaskStatus } from '../../schemas';
import { batchGetItems } from '../aws/batch-get-items';
import { ACTIVE_GROUP_ID } from '../aws/dynamodb-membership-store';
import { foldName } from '../ports/names';
import {
  parseDateTimeArgument,
  parseKeyArgument,
  parseNameArgument,
  parseTaskStatusArgument,
} from './arguments';
import type { DirectoryContext } from './directory-context';
import { getGroup } from './group-admin';
import { OperatorError } from './operator-error';
import { queryPages, scanPages } from './paginate';

/** The memberships-table index of a patient's groups (resources/tables.yml). */
export const MEMBERSHIPS_BY_PATIENT_INDEX = 'byPatient';
/** The sparse memberships-table index of a group's active members (resources/tables.yml). */
const ACTIVE_MEMBERS_INDEX = 'activeMembers';

/** One closed period of a membership, oldest first in `periods`. */
export interface MembershipPeriod {
  startedAt?: string;
  endedAt?: string;
  endedByUpdateId?: string;
}

export interface MembershipSummary {
  groupId: string;
  patientKey: string;
  active: boolean;
  startedAt?: string;
  /** Set when the membership ended (and not reactivated since). */
  endedAt?: string;
  /** Absent when read from an index that does not project it. */
  lastProtocol?: string;
  updatedAt?: string;
  /** Every closed period, oldest first (read from the table only). */
  periods?: MembershipPeriod[];
}

function membershipSummary(item: Record<string, unknown>): MembershipSummary {
  const optional = (name: string) =>
    typeof item[name] === 'string' ? String(item[name]) : undefined;
  return {
    groupId: String(item.groupId),
    patientKey: String(item.patientKey),
    active: item.active === true,
    startedAt: optional('startedAt'),
    endedAt: optional('endedAt'),
    lastProtocol: optional('lastProtocol'),
    updatedAt: optional('updatedAt'),
    ...(Array.isArray(item.periods) ? { periods: item.periods.map(membershipPeriod) } : {}),
  };
}

function membershipPeriod(value: unknown): MembershipPeriod {
  const period = (value ?? {}) as Record<string, unknown>;
  const result: MembershipPeriod = {};
  for (const field of ['startedAt', 'endedAt', 'endedByUpdateId'] as const)
    if (typeof period[field] === 'string') result[field] = period[field] as string;
  return result;
}

/**
 * Active memberships are members; with `includeEnded` the ended ones too. An inactive item
 * without `startedAt` is a tombstone ("ensure not in" for someone who never was a member): not a
 * member, ever, so never listed.
 */
function isListedMembership(item: Record<string, unknown>, includeEnded: boolean): boolean {
  if (item.active === true) return true;
  return includeEnded && typeof item.startedAt === 'string';
}

/**
 * A group's members (every page), in patient-key order. Active ones: a Query of the sparse index
 * `activeMembers`, which holds active memberships only, so the cost follows the group's size, not
 * the population's; it projects `startedAt` only (no `lastProtocol`, `updatedAt`: they change on
 * every confirmation). With `includeEnded`: a Query of the group's partition in the table, which
 * reads every item of the group, tombstones included (history is rarely asked for). Unknown group:
 * not-found.
 */
export async function groupMembers(
  context: DirectoryContext,
  groupId: string,
  options: { includeEnded?: boolean } = {},
): Promise<MembershipSummary[]> {
  const id = parseKeyArgument('groupId', groupId);
  if (!(await getGroup(context, id)))
    throw new OperatorError('not-found', `no group with id ${id}`);
  if (options.includeEnded !== true) {
    const { items } = await queryPages(context.documents, {
      TableName: context.tables.memberships,
      IndexName: ACTIVE_MEMBERS_INDEX,
      KeyConditionExpression: '#g = :g',
      ExpressionAttributeNames: { '#g': ACTIVE_GROUP_ID },
      ExpressionAttributeValues: { ':g': id },
    });
    // In the index means active (the attribute is removed on deactivation).
    return items.map((item) => ({ ...membershipSummary(item), active: true }));
  }
  const { items } = await queryPages(
    context.documents,
    {
      TableName: context.tables.memberships,
      KeyConditionExpression: 'groupId = :g',
      ExpressionAttributeValues: { ':g': id },
    },
    { accept: (item) => isListedMembership(item, true) },
  );
  return items.map(membershipSummary);
}

/**
 * Existence only: the projection keeps the patient document (PHI) out of the read. The message
 * does not repeat the key.
 */
async function assertPatientExists(context: DirectoryContext, patientKey: string): Promise<void> {
  const { Item } = await context.documents.send(
    new GetCommand({
      TableName: context.tables.patients,
      Key: { patientKey },
      ProjectionExpression: 'patientKey',
    }),
  );
  if (!Item) throw new OperatorError('not-found', 'no patient with the given patientKey');
}

export interface PatientGroupSummary extends MembershipSummary {
  /** The group's name and state, when the group item exists. */
  groupName?: string;
  groupActive?: boolean;
}

/** The groups a patient is in (with `includeEnded`, was in), with each group's name. */
export async function patientGroups(
  context: DirectoryContext,
  patientKey: string,
  options: { includeEnded?: boolean } = {},
): Promise<PatientGroupSummary[]> {
  const key = parseKeyArgument('patientKey', patientKey);
  await assertPatientExists(context, key);
  const { items } = await queryPages(
    context.documents,
    {
      TableName: context.tables.memberships,
      IndexName: MEMBERSHIPS_BY_PATIENT_INDEX,
      KeyConditionExpression: 'patientKey = :p',
      ExpressionAttributeValues: { ':p': key },
    },
    { accept: (item) => isListedMembership(item, options.includeEnded === true) },
  );
  const memberships = items.map(membershipSummary);
  const groups = await groupsById(
    context,
    memberships.map((m) => m.groupId),
  );
  return memberships.map((m) => {
    const group = groups.get(m.groupId);
    return group ? { ...m, groupName: group.name, groupActive: group.active } : m;
  });
}

async function groupsById(
  context: DirectoryContext,
  groupIds: readonly string[],
): Promise<Map<string, { name: string; active: boolean }>> {
  const found = await batchGetItems(
    context.documents,
    [
      {
        table: context.tables.groups,
        keys: [...new Set(groupIds)].map((groupId) => ({ groupId })),
        attributes: ['groupId', 'name', 'active'],
      },
    ],
    { consistent: false },
  );
  return new Map(
    (found.get(context.tables.groups) ?? []).map((item) => [
      String(item.groupId),
      { name: String(item.name ?? ''), active: item.active === true },
    ]),
  );
}

/** The documented task fields (docs/data-model.md); other attributes on the item are not shown. */
export interface TaskSummary {
  patientKey: string;
  taskId: string;
  status: string;
  title?: string;
  /** As sent by the producer. */
  due?: string;
  created?: string;
  /** Their normalized UTC instants (`YYYY-MM-DDThh:mm:ss.ffffffZ`); absent on tasks stored before them. */
  dueInstant?: string;
  createdInstant?: string;
  assigneeKey?: string;
  teamId?: string;
  labels?: string[];
  tag?: string;
  creatorKey?: string;
  protocol?: string;
  appliedAt?: string;
}

const TASK_TEXT_FIELDS = [
  'title',
  'due',
  'created',
  'dueInstant',
  'createdInstant',
  'assigneeKey',
  'teamId',
  'tag',
  'creatorKey',
  'protocol',
  'appliedAt',
] as const;

function taskSummary(item: Record<string, unknown>): TaskSummary {
  const task: TaskSummary = {
    patientKey: String(item.patientKey),
    taskId: String(item.taskId),
    status: String(item.status ?? ''),
  };
  for (const field of TASK_TEXT_FIELDS)
    if (typeof item[field] === 'string') task[field] = item[field] as string;
  if (Array.isArray(item.labels)) task.labels = item.labels.map(String);
  return task;
}

export interface TaskFilterInput {
  patientKey?: string;
  status?: string;
  assigneeKey?: string;
  teamId?: string;
  /** Compared case-folded, like the labels table ("Urgent" and "urgent" are one label). */
  label?: string;
  /**
   * Tasks due strictly before this instant, in any form a message may carry (no offset: UTC),
   * compared with the tasks' normalized `dueInstant`; tasks with no due are left out.
   */
  dueBefore?: string;
  /** `due`: the tasks returned, earliest due instant first, tasks without a due last. */
  sort?: string;
  /** Most tasks returned (default 100). */
  limit?: number;
}

export const DEFAULT_TASK_LIMIT = 100;

export interface TaskSearchResult {
  tasks: TaskSummary[];
  /** More tasks may match than `limit` allowed. */
  truncated: boolean;
  /** How the table was read: a Query of one patient's tasks, or a Scan of every task. */
  access: 'query' | 'scan';
}

interface ValidFilters {
  patientKey?: string;
  status?: TaskStatus;
  assigneeKey?: string;
  teamId?: string;
  labelKey?: string;
  /** The normalized UTC instant. */
  dueBefore?: string;
  sortByDue: boolean;
  limit: number;
}

function parseSortArgument(sort: string | undefined): boolean {
  if (sort === undefined) return false;
  if (sort === 'due') return true;
  throw new OperatorError('invalid-argument', '--sort: must be "due"');
}

/**
 * Legacy tasks, stored before `dueInstant` existed, hold `due` as `YYYY-MM-DDThh:mm:ss` (UTC, the
 * only form then accepted). `due < instant` for them is `due < ` the instant rounded up to the
 * second, in that form: string order is time order there too.
 */
export function legacyDueBound(instant: string): string {
  if (/\.0{6}Z$/.test(instant)) return instant.slice(0, 19);
  const next = new Date(new Date(`${instant.slice(0, 19)}Z`).getTime() + 1000).toISOString();
  // Past 9999-12-31T23:59:59: above every legacy value (hours stop at 23).
  return /^\d{4}-/.test(next) ? next.slice(0, 19) : '9999-12-31T24';
}

/** The order of `--sort due`: a task's due instant (computed for a legacy task), none last. */
function dueSortKey(task: TaskSummary): string {
  return task.dueInstant ?? kitDateTimeUtc(task.due) ?? '~';
}

function validateFilters(input: TaskFilterInput): ValidFilters {
  return {
    patientKey:
      input.patientKey === undefined ? undefined : parseKeyArgument('--patient', input.patientKey),
    status:
      input.status === undefined ? undefined : parseTaskStatusArgument('--status', input.status),
    assigneeKey:
      input.assigneeKey === undefined
        ? undefined
        : parseKeyArgument('--assignee', input.assigneeKey),
    teamId: input.teamId === undefined ? undefined : parseKeyArgument('--team', input.teamId),
    labelKey:
      input.label === undefined ? undefined : foldName(parseNameArgument('--label', input.label)),
    dueBefore:
      input.dueBefore === undefined
        ? undefined
        : parseDateTimeArgument('--due-before', input.dueBefore),
    sortByDue: parseSortArgument(input.sort),
    limit: input.limit ?? DEFAULT_TASK_LIMIT,
  };
}

/**
 * Tasks matching every given filter. With a patient: a Query of that patient's partition.
 * Without: a **Scan** of the whole tasks table (filters applied by DynamoDB after reading, so it
 * reads, and bills, every task until `limit` match). Labels are matched case-folded here, since
 * the items keep the spelling as given.
 */
export async function findTasks(
  context: DirectoryContext,
  input: TaskFilterInput,
): Promise<TaskSearchResult> {
  const filters = validateFilters(input);
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filterOn = (attribute: string, operator: string, value: unknown) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
    conditions.push(`#${attribute} ${operator} :${attribute}`);
  };
  if (filters.status) filterOn('status', '=', filters.status);
  if (filters.assigneeKey) filterOn('assigneeKey', '=', filters.assigneeKey);
  if (filters.teamId) filterOn('teamId', '=', filters.teamId);
  // Normalized instants have one fixed width, so string order is time order. A task stored before
  // `dueInstant` existed is compared by its `due` (legacyDueBound).
  if (filters.dueBefore) {
    names['#dueInstant'] = 'dueInstant';
    names['#due'] = 'due';
    values[':dueBefore'] = filters.dueBefore;
    values[':legacyDueBefore'] = legacyDueBound(filters.dueBefore);
    conditions.push(
      '(#dueInstant < :dueBefore OR (attribute_not_exists(#dueInstant) AND #due < :legacyDueBefore))',
    );
  }
  const filterExpression =
    conditions.length > 0
      ? {
          FilterExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }
      : {};
  const ordered = (items: Record<string, unknown>[]) => {
    const tasks = items.map(taskSummary);
    if (!filters.sortByDue) return tasks;
    // Stable: tasks due at the same instant keep the table's order.
    return tasks.sort((a, b) =>
      dueSortKey(a) < dueSortKey(b) ? -1 : dueSortKey(a) > dueSortKey(b) ? 1 : 0,
    );
  };
  const labelKey = filters.labelKey;
  const accept = labelKey
    ? (item: Record<string, unknown>) =>
        Array.isArray(item.labels) && item.labels.some((l) => foldName(String(l)) === labelKey)
    : undefined;

  if (filters.patientKey) {
    await assertPatientExists(context, filters.patientKey);
    const page = await queryPages(
      context.documents,
      {
        TableName: context.tables.tasks,
        KeyConditionExpression: 'patientKey = :patientKey',
        ...filterExpression,
        ExpressionAttributeValues: { ...values, ':patientKey': filters.patientKey },
      },
      { limit: filters.limit, accept },
    );
    return { tasks: ordered(page.items), truncated: page.truncated, access: 'query' };
  }
  const page = await scanPages(
    context.documents,
    { TableName: context.tables.tasks, ...filterExpression },
    { limit: filters.limit, accept },
  );
  return { tasks: ordered(page.items), truncated: page.truncated, access: 'scan' };
}
