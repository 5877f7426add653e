import type { TaskMetadataUpdate } from '../../schemas';
import type { TaskMetadataItem, TaskMetadataStore } from '../ports';
import { changeVersion } from './change-version';
import type { ApplyResult } from './outcomes';
import { taskChildItemFields } from './task-id';
import { unknownTaskOutcome } from './unknown-task';
import type { Delivery, UpdateMetadata } from './update-metadata';

export interface TaskMetadataApplierDeps {
  metadata: TaskMetadataStore;
  now: () => Date;
  unknownTaskAttempts: number;
}

/** The stored item: one per (task, key), in the task's partition (the one its comments use). */
export function taskMetadataItemFor(
  update: TaskMetadataUpdate,
  meta: UpdateMetadata,
  appliedAt: Date,
): TaskMetadataItem {
  const { task, provenance } = taskChildItemFields(update, meta, appliedAt);
  const payload = update.integration_payload;
  return {
    ...task,
    metadataKey: payload.key,
    value: payload.value,
    version: changeVersion(meta.version, meta.updateId),
    ...provenance,
  };
}

/**
 * Applies a TaskMetadata message: the key takes the message's value unless it holds a newer
 * version (`computed-at`, then update id). Logs the task id and outcome only: never the key or
 * the value.
 */
export async function applyTaskMetadata(
  update: TaskMetadataUpdate,
  meta: UpdateMetadata,
  delivery: Delivery,
  deps: TaskMetadataApplierDeps,
): Promise<ApplyResult> {
  const item = taskMetadataItemFor(update, meta, deps.now());
  const subject = { taskId: item.taskId };
  const result = await deps.metadata.put(item);
  switch (result.outcome) {
    case 'written':
      if (result.previous?.value === item.value)
        return { outcome: 'no-op', subject, detail: 'same value; the newer version is recorded' };
      return { outcome: 'applied', subject };
    case 'not-newer':
      if (result.current.version === item.version)
        return { outcome: 'no-op', subject, detail: 'this update is stored already' };
      if (result.current.value === item.value)
        return { outcome: 'no-op', subject, detail: 'a newer update stored the same value' };
      return { outcome: 'stale', subject, detail: 'a newer value is kept' };
    case 'unknown-task':
      return unknownTaskOutcome(delivery, deps.unknownTaskAttempts, subject);
  }
}
