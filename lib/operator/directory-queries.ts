import { kitDateTimeUtc, type TaskStatus } from '../../schemas';
import { foldName } from '../ports/names';
import type {
  MembershipSummary,
  OperatorDirectory,
  TaskRecordFilter,
  TaskSummary,
} from '../ports/operator-directory';
import {
  parseDateTimeArgument,
  parseKeyArgument,
  parseNameArgument,
  parseTaskStatusArgument,
} from './arguments';
import { getGroup } from './group-admin';
import { OperatorError } from './operator-error';
import { readPages } from './paginate';

export type {
  MembershipPeriod,
  MembershipSummary,
  TaskSummary,
} from '../ports/operator-directory';

/**
 * Active memberships are members; with `includeEnded` the ended ones too. An inactive membership
 * without `startedAt` is a tombstone ("ensure not in" for someone who never was a member): not a
 * member, ever, so never listed.
 */
function isListedMembership(membership: MembershipSummary, includeEnded: boolean): boolean {
  if (membership.active) return true;
  return includeEnded && membership.startedAt !== undefined;
}

/**
 * A group's members (every page), in patient-key order. Active ones: the store's active
 * memberships of the group (DynamoDB: the sparse index `activeMembers`, so the cost follows the
 * group's size, not the population's; it projects `startedAt` only, not `lastProtocol` or
 * `updatedAt`, which change on every confirmation). With `includeEnded`: every membership item of
 * the group, tombstones included, which are then left out (history is rarely asked for). Unknown
 * group: not-found.
 */
export async function groupMembers(
  directory: OperatorDirectory,
  groupId: string,
  options: { includeEnded?: boolean } = {},
): Promise<MembershipSummary[]> {
  const id = parseKeyArgument('groupId', groupId);
  if (!(await getGroup(directory, id)))
    throw new OperatorError('not-found', `no group with id ${id}`);
  if (options.includeEnded !== true)
    return (await readPages(directory.memberships.activeOf(id))).items;
  const { items } = await readPages(directory.memberships.allOf(id), {
    accept: (membership) => isListedMembership(membership, true),
  });
  return items;
}

/** Existence only: no patient data is read. The message does not repeat the key. */
async function assertPatientExists(
  directory: OperatorDirectory,
  patientKey: string,
): Promise<void> {
  if (!(await directory.patients.exists(patientKey)))
    throw new OperatorError('not-found', 'no patient with the given patientKey');
}

export interface PatientGroupSummary extends MembershipSummary {
  /** The group's name and state, when the group item exists. */
  groupName?: string;
  groupActive?: boolean;
}

/** The groups a patient is in (with `includeEnded`, was in), with each group's name. */
export async function patientGroups(
  directory: OperatorDirectory,
  patientKey: string,
  options: { includeEnded?: boolean } = {},
): Promise<PatientGroupSummary[]> {
  const key = parseKeyArgument('patientKey', patientKey);
  await assertPatientExists(directory, key);
  const { items: memberships } = await readPages(directory.memberships.ofPatient(key), {
    accept: (membership) => isListedMembership(membership, options.includeEnded === true),
  });
  const groups = await directory.groups.getMany([...new Set(memberships.map((m) => m.groupId))]);
  return memberships.map((m) => {
    const group = groups.get(m.groupId);
    return group ? { ...m, groupName: group.name, groupActive: group.active } : m;
  });
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
 * Tasks matching every given filter. With a patient: the store reads that patient's tasks only
 * (a Query of the patient's partition). Without: **every task** (a Scan of the whole tasks table,
 * filters applied after reading, so it reads, and bills, every task until `limit` match). Labels
 * are matched case-folded here, since the items keep the spelling as given.
 */
export async function findTasks(
  directory: OperatorDirectory,
  input: TaskFilterInput,
): Promise<TaskSearchResult> {
  const filters = validateFilters(input);
  const filter: TaskRecordFilter = {};
  if (filters.status) filter.status = filters.status;
  if (filters.assigneeKey) filter.assigneeKey = filters.assigneeKey;
  if (filters.teamId) filter.teamId = filters.teamId;
  if (filters.dueBefore) filter.dueBefore = filters.dueBefore;
  const ordered = (tasks: TaskSummary[]) => {
    if (!filters.sortByDue) return tasks;
    // Stable: tasks due at the same instant keep the table's order.
    return tasks.sort((a, b) =>
      dueSortKey(a) < dueSortKey(b) ? -1 : dueSortKey(a) > dueSortKey(b) ? 1 : 0,
    );
  };
  const labelKey = filters.labelKey;
  const accept = labelKey
    ? (task: TaskSummary) => (task.labels ?? []).some((l) => foldName(l) === labelKey)
    : undefined;

  if (filters.patientKey) {
    await assertPatientExists(directory, filters.patientKey);
    const page = await readPages(directory.tasks.ofPatient(filters.patientKey, filter), {
      limit: filters.limit,
      accept,
    });
    return { tasks: ordered(page.items), truncated: page.truncated, access: 'query' };
  }
  const page = await readPages(directory.tasks.all(filter), { limit: filters.limit, accept });
  return { tasks: ordered(page.items), truncated: page.truncated, access: 'scan' };
}
