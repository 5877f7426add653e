import type { TaskStatus } from '../../schemas';
import type { TaskKey } from './task-lifecycle-store';

/** A task as stored: the payload's fields as given, plus where it came from. */
export interface TaskItem {
  patientKey: string;
  taskId: string;
  creatorKey: string;
  status: TaskStatus;
  title?: string;
  teamId?: string;
  /** The message datetimes exactly as sent (`2024-02-06T09:30:00-05:00`, `...T14:30:00.000Z`, ...). */
  created?: string;
  due?: string;
  /**
   * Their normalized UTC instants, `YYYY-MM-DDThh:mm:ss.ffffffZ` (`kitDateTimeUtc`; no offset read
   * as UTC): fixed width, so string order is time order. Present exactly when the datetime is.
   */
  createdInstant?: string;
  dueInstant?: string;
  tag?: string;
  /** Label names as given (order and spelling kept). */
  labels?: string[];
  assigneeKey?: string;
  dedupeKey?: string;
  /** The update that created it. */
  sourceUpdateId: string;
  /** `computed-at` of that update, epoch ms. */
  computedAt: number;
  protocol?: string;
  /** When the applier wrote it (ISO). */
  appliedAt: string;
}

/** A label the task refers to: created if missing, refused if inactive. */
export interface LabelRef {
  name: string;
  nameKey: string;
}

export type CreateTaskResult =
  | { status: 'created' }
  /** A task with this id already exists: a redelivery or a repeated dedupe key. */
  | { status: 'exists' }
  | { status: 'unknown-patient' }
  /** `label` indexes the `labels` argument. */
  | { status: 'inactive-label'; label: number };

export interface TaskStore {
  /**
   * Whether the task exists: a strongly consistent read of its key (1 read unit), so every
   * acknowledged creation is seen. A re-sent task (every scheduled run re-sends each reminder) is
   * settled by this read alone; `create` is for a task read as missing.
   */
  exists(key: TaskKey): Promise<boolean>;
  /**
   * Writes the task and ensures its labels in one transaction: all of it or nothing. Labels are
   * distinct by `nameKey`. The task's condition (`attribute_not_exists`) settles a concurrent first
   * creation: the loser gets `exists`.
   */
  create(task: TaskItem, labels: readonly LabelRef[]): Promise<CreateTaskResult>;
}
