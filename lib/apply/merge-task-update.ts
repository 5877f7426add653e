import type { UpdateTaskPayload } from '../../schemas';
import {
  foldName,
  type LabelRef,
  type StoredTaskState,
  type TaskChange,
  type TaskFieldValues,
} from '../ports';
import { changeVersion } from './change-version';
import { utcInstantOf } from './datetime-instant';

/** What one field of an update does against the stored task. */
export type FieldFate =
  /** Newer than the field's stored version: its value is written. */
  | 'apply'
  /** Exactly the stored version: this very update set it before (a redelivery). */
  | 'same'
  /** Older than the stored version: a newer update set the field; kept as it is. */
  | 'stale';

/** A label being added, with its position in `labels_added` (a refusal names the position). */
export interface LabelToEnsure extends LabelRef {
  payloadIndex: number;
}

export interface TaskMerge {
  outcome: 'applied' | 'no-op' | 'stale';
  /** Present when something is to be written (at least one field is `apply`). */
  change?: Omit<TaskChange, 'expectedRevision' | 'updateId' | 'protocol' | 'appliedAt'> & {
    labelsToEnsure: LabelToEnsure[];
  };
  /** Wire names of the fields older than the stored ones (labels by position, not by text). */
  staleFields: string[];
}

/** The scalar fields: wire name, stored name, the value in the payload. */
const SCALAR_FIELDS = [
  ['status', 'status', (p: UpdateTaskPayload) => p.status],
  ['title', 'title', (p: UpdateTaskPayload) => p.title],
  ['team_identifier', 'teamId', (p: UpdateTaskPayload) => p.team_identifier],
  ['due', 'due', (p: UpdateTaskPayload) => p.due],
  ['assignee', 'assigneeKey', (p: UpdateTaskPayload) => p.assignee?.identifier.key],
] as const;

/** The `fieldVersions` key of a label: per label, so adds and removes of others do not interfere. */
export function labelVersionKey(nameKey: string): string {
  return `label:${nameKey}`;
}

function fateOf(version: string, stored: string): FieldFate {
  if (version > stored) return 'apply';
  return version === stored ? 'same' : 'stale';
}

interface LabelOp {
  add: boolean;
  name: string;
  nameKey: string;
  /** `labels_added[i]` or `labels_removed[i]`. */
  where: string;
  payloadIndex: number;
}

/** Distinct label operations (first spelling of a folded name wins within a list). */
function labelOps(payload: UpdateTaskPayload): LabelOp[] {
  const ops: LabelOp[] = [];
  const seen = new Set<string>();
  const collect = (names: readonly string[] | undefined, add: boolean) => {
    const list = add ? 'labels_added' : 'labels_removed';
    (names ?? []).forEach((name, index) => {
      const nameKey = foldName(name);
      if (seen.has(nameKey)) return;
      seen.add(nameKey);
      ops.push({ add, name, nameKey, where: `${list}[${index}]`, payloadIndex: index });
    });
  };
  collect(payload.labels_added, true);
  collect(payload.labels_removed, false);
  return ops;
}

/**
 * Merges a `TaskUpdate` into the stored task, field by field. Each field (each label) carries the
 * version that last set it, the task's creation version when none did; the update's value for a
 * field is taken only when the update is newer. So every delivery order of the same updates ends
 * with each field at its newest value, a redelivery changes nothing, and an older update still
 * sets the fields no newer one touched. Pure: the caller writes `change` conditionally.
 */
export function mergeTaskUpdate(
  task: StoredTaskState,
  payload: UpdateTaskPayload,
  version: string,
): TaskMerge {
  const stored = task.fieldVersions ?? {};
  const created = changeVersion(task.computedAt, task.sourceUpdateId);
  const storedVersion = (key: string) => stored[key] ?? created;

  const fieldVersions = { ...stored };
  const values: TaskFieldValues = {};
  const staleFields: string[] = [];
  let applies = 0;
  let sames = 0;
  let changed = false;

  for (const [wire, name, read] of SCALAR_FIELDS) {
    const value = read(payload);
    if (value === undefined) continue;
    const fate = fateOf(version, storedVersion(wire));
    if (fate === 'stale') staleFields.push(wire);
    if (fate === 'same') sames += 1;
    if (fate !== 'apply') continue;
    applies += 1;
    fieldVersions[wire] = version;
    (values as Record<string, string>)[name] = value;
    // The instant goes with the string, under the same version (`due` is one field).
    if (wire === 'due') values.dueInstant = utcInstantOf(value);
    // The string as sent is what is stored: the same instant written differently is a change.
    if (task[name] !== value) changed = true;
  }

  let labels = [...(task.labels ?? [])];
  let labelsChanged = false;
  const labelsToEnsure: LabelToEnsure[] = [];
  for (const op of labelOps(payload)) {
    const key = labelVersionKey(op.nameKey);
    const fate = fateOf(version, storedVersion(key));
    if (fate === 'stale') staleFields.push(op.where);
    if (fate === 'same') sames += 1;
    if (fate !== 'apply') continue;
    applies += 1;
    fieldVersions[key] = version;
    const present = labels.some((name) => foldName(name) === op.nameKey);
    if (op.add && !present) {
      labels.push(op.name);
      labelsToEnsure.push({ name: op.name, nameKey: op.nameKey, payloadIndex: op.payloadIndex });
      labelsChanged = true;
    } else if (!op.add && present) {
      labels = labels.filter((name) => foldName(name) !== op.nameKey);
      labelsChanged = true;
    }
  }

  if (applies === 0) return { outcome: sames > 0 ? 'no-op' : 'stale', staleFields };
  return {
    // Newer versions of the values already stored still get written: an older update arriving
    // later must find them and stay stale. The state itself did not change: `no-op`.
    outcome: changed || labelsChanged ? 'applied' : 'no-op',
    change: {
      values,
      ...(labelsChanged ? { labels } : {}),
      fieldVersions,
      labelsToEnsure,
    },
    staleFields,
  };
}
