/** One key of a task's metadata, as stored (docs/data-model.md, task metadata table). */
export interface TaskMetadataItem {
  /** The task's partition, as its comments use: `taskCommentsKey(patientKey, taskId)`. */
  taskKey: string;
  /** The message's `key`. */
  metadataKey: string;
  patientKey: string;
  taskId: string;
  /** Free text: never logged. */
  value: string;
  /** The version of the update that set it (`<computed-at ms, 16 digits>#<update id>`). */
  version: string;
  updateId: string;
  /** `computed-at`, epoch ms. */
  computedAt: number;
  protocol?: string;
  appliedAt: string;
}

/** What the store holds for a key, as far as the applier needs it. */
export interface StoredTaskMetadata {
  value: string;
  version: string;
}

export type PutTaskMetadataResult =
  /** Written: the key was new (`previous` absent) or held an older version. */
  | { outcome: 'written'; previous?: StoredTaskMetadata }
  /** Nothing written: the key holds this version already, or a newer one. */
  | { outcome: 'not-newer'; current: StoredTaskMetadata }
  /** Nothing written: the task does not exist. */
  | { outcome: 'unknown-task' };

export interface TaskMetadataStore {
  /**
   * Puts the item if its task exists and the key holds no version, or an older one than the
   * item's; otherwise writes nothing and says what is there.
   */
  put(item: TaskMetadataItem): Promise<PutTaskMetadataResult>;
}
