import type { TaskStatus } from '../../schemas';

/**
 * What the operator functions (`lib/operator`) read and write in the tables, as small interfaces;
 * `lib/aws/dynamodb-operator-directory.ts` implements them over DynamoDB. Listings are read page
 * by page: the operator logic decides how many pages, what to keep and when to stop.
 */

/** Where the next page starts; opaque to the caller (DynamoDB's `LastEvaluatedKey`). */
export type PageCursor = Readonly<Record<string, unknown>>;

export interface Page<T> {
  /** May be empty while more pages follow (a filter applied after the read). */
  items: T[];
  /** Present while more pages follow. */
  next?: PageCursor;
}

/** Reads one page of a listing, from `cursor` (absent: the first page). */
export type PageReader<T> = (cursor?: PageCursor) => Promise<Page<T>>;

export interface GroupSummary {
  groupId: string;
  name: string;
  active: boolean;
}

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

export interface LabelSummary {
  nameKey: string;
  name: string;
  active: boolean;
  createdAt?: string;
  deactivatedAt?: string;
}

/** One recorded protocol result (docs/data-model.md, protocol results). */
export interface ResultSummary {
  patientKey: string;
  protocol: string;
  protocolVersion?: string;
  status: string;
  dueIn: number | null;
  nextReview: string | null;
  /** Read from the table only (`patients results`): the index does not project them. */
  narratives?: string[];
  recommendations?: unknown[];
  computedAt?: string;
  updatesSentAt?: string;
  updatesCount?: number;
}

export interface PatientRecords {
  /** Whether the patients table holds the key (an existence check: no patient data is read). */
  exists(patientKey: string): Promise<boolean>;
}

export interface GroupRecords {
  /**
   * Groups whose folded name starts with `nameKey` (a folded name), or equals it with `exact`, in
   * name order (the `byName` index).
   */
  byName(nameKey: string, options: { exact: boolean }): PageReader<GroupSummary>;
  /** One group, read consistently; undefined when there is none. */
  get(groupId: string): Promise<GroupSummary | undefined>;
  /** The groups of these ids that exist (an id without a group is absent). */
  getMany(groupIds: readonly string[]): Promise<Map<string, GroupSummary>>;
  /** Creates an active group, unless a group with its id exists ('exists': nothing written). */
  create(group: { groupId: string; name: string }): Promise<'created' | 'exists'>;
}

export interface MembershipRecords {
  /** A group's active memberships only, in patient-key order (cost follows the members). */
  activeOf(groupId: string): PageReader<MembershipSummary>;
  /** Every membership item of a group, ended ones and tombstones included, in patient-key order. */
  allOf(groupId: string): PageReader<MembershipSummary>;
  /** Every membership item of a patient (active, ended, tombstones), in group-id order. */
  ofPatient(patientKey: string): PageReader<MembershipSummary>;
}

/** Task filters the store applies while reading (labels are matched by the caller, case-folded). */
export interface TaskRecordFilter {
  status?: TaskStatus;
  assigneeKey?: string;
  teamId?: string;
  /** Tasks due strictly before this normalized UTC instant (`YYYY-MM-DDThh:mm:ss.ffffffZ`). */
  dueBefore?: string;
}

export interface TaskRecords {
  /** One patient's tasks matching the filter (a query of the patient's partition). */
  ofPatient(patientKey: string, filter: TaskRecordFilter): PageReader<TaskSummary>;
  /** Every task matching the filter: reads (and bills) the whole table. */
  all(filter: TaskRecordFilter): PageReader<TaskSummary>;
}

export type LabelDeactivation =
  | { outcome: 'deactivated'; label: LabelSummary }
  /** Nothing changed: the label as stored. */
  | { outcome: 'already-inactive'; label: LabelSummary }
  /** No label of that name key; nothing was created. */
  | { outcome: 'unknown' };

export interface LabelRecords {
  /** Every label, active or not (labels are few). */
  all(): PageReader<LabelSummary>;
  /** Deactivates an active label at `at` (ISO), in one conditional write. */
  deactivate(nameKey: string, at: string): Promise<LabelDeactivation>;
}

export interface ProtocolResultRecords {
  /** The statuses a protocol's population can be listed by (the sparse index holds them). */
  indexedStatuses: readonly string[];
  /** The statuses the index leaves out (most of any population). */
  unindexedStatuses: readonly string[];
  /**
   * A protocol's results with an indexed status: one reader per index partition (the population
   * is spread over several), each in patient-key order.
   */
  withStatus(protocol: string, status: string): PageReader<ResultSummary>[];
  /** Every recorded result of one patient, in protocol-key order. */
  ofPatient(patientKey: string): PageReader<ResultSummary>;
}

/** Everything the operator's directory functions need from the tables. */
export interface OperatorDirectory {
  patients: PatientRecords;
  groups: GroupRecords;
  memberships: MembershipRecords;
  tasks: TaskRecords;
  labels: LabelRecords;
  protocolResults: ProtocolResultRecords;
}
