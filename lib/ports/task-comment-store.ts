/** A comment as stored (docs/data-model.md, task comments table). */
export interface TaskCommentItem {
  /** The task's comment partition: `taskCommentsKey(patientKey, taskId)`. */
  taskKey: string;
  /** The update's version (`<computed-at ms, 16 digits>#<update id>`): computation order, once. */
  commentId: string;
  patientKey: string;
  taskId: string;
  creatorKey: string;
  body: string;
  /** The message datetime exactly as sent. */
  created?: string;
  /** Its normalized UTC instant, `YYYY-MM-DDThh:mm:ss.ffffffZ` (`kitDateTimeUtc`). */
  createdInstant?: string;
  updateId: string;
  /** `computed-at`, epoch ms. */
  computedAt: number;
  protocol?: string;
  appliedAt: string;
}

export type AddTaskCommentResult = 'added' | 'exists' | 'unknown-task';

export interface TaskCommentStore {
  /** Adds the comment if its task exists and the comment does not yet (one transaction). */
  add(comment: TaskCommentItem): Promise<AddTaskCommentResult>;
}
