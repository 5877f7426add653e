import type { TaskStatus } from '../../schemas';
import type { LabelRef } from './task-store';

/** A task's key in the tasks table. */
export interface TaskKey {
  patientKey: string;
  taskId: string;
}

/** The fields a `TaskUpdate` sets, under their stored names. */
export interface TaskFieldValues {
  status?: TaskStatus;
  title?: string;
  teamId?: string;
  /** As sent. */
  due?: string;
  /** `due`'s normalized UTC instant (`kitDateTimeUtc`), written with it. */
  dueInstant?: string;
  assigneeKey?: string;
}

/** What a `TaskUpdate` needs of a stored task: its changeable fields and their versions. */
export interface StoredTaskState extends TaskFieldValues {
  status: TaskStatus;
  /** Label names as stored (spelling kept). */
  labels?: string[];
  /** The creating update's `computed-at` (epoch ms) and id: every field's version until changed. */
  computedAt: number;
  sourceUpdateId: string;
  /** Field (or `label:<nameKey>`) to the version that last set it; absent until a first change. */
  fieldVersions?: Record<string, string>;
  /** Bumped by every change; absent until the first. The optimistic-concurrency token. */
  revision?: number;
}

/** One change of a task, computed against the state read at `expectedRevision`. */
export interface TaskChange {
  /** The revision read; undefined: the task had never been changed. */
  expectedRevision: number | undefined;
  values: TaskFieldValues;
  /** The whole new label list when labels changed (empty: no labels). */
  labels?: string[];
  /** The whole new map of field versions. */
  fieldVersions: Record<string, string>;
  /** Labels being put on the task: created if missing, refused if inactive. */
  labelsToEnsure: readonly LabelRef[];
  updateId: string;
  protocol?: string;
  /** When the applier wrote it (ISO). */
  appliedAt: string;
}

export type WriteTaskChangeResult =
  | { status: 'written' }
  /** The task changed (or vanished) since it was read, or a concurrent transaction collided. */
  | { status: 'conflict' }
  /** `label` indexes `labelsToEnsure`. */
  | { status: 'inactive-label'; label: number };

/** Reads and changes existing tasks (docs/task-lifecycle.md). */
export interface TaskLifecycleStore {
  /** The task, read consistently; undefined when there is none. */
  read(key: TaskKey): Promise<StoredTaskState | undefined>;
  /**
   * Writes the change in one transaction with its label upserts, only if the task still has the
   * revision it was read at. Nothing is written unless everything is.
   */
  write(key: TaskKey, change: TaskChange): Promise<WriteTaskChangeResult>;
}
