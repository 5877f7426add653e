import { createHash } from 'node:crypto';
import type { TaskReference } from '../../schemas';
import type { UpdateMetadata } from './update-metadata';

/**
 * The id of the task created with this dedupe key for this patient. JSON of the pair: no separator
 * can make two different pairs collide. The `dedupe:` prefix keeps these apart from `update:` ids.
 */
export function dedupeTaskId(patientKey: string, dedupeKey: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([patientKey, dedupeKey]))
    .digest('hex');
  return `dedupe:${digest}`;
}

/**
 * The stored id of the task a lifecycle message names: by dedupe key, the id the creation applier
 * computed; by task id, the id as given. Always within the patient's partition.
 */
export function taskIdForReference(patientKey: string, ref: TaskReference): string {
  if (ref.dedupe_key !== undefined) return dedupeTaskId(patientKey, ref.dedupe_key);
  if (ref.task_id !== undefined) return ref.task_id;
  // The schema requires exactly one of the two.
  throw new Error('a task reference names neither dedupe_key nor task_id');
}

/**
 * The partition of a task's child items (its comments, its metadata keys): sha256 of JSON
 * [patientKey, taskId]. Unambiguous, and a fixed 64 characters however long (or escaped) the two
 * keys are.
 */
export function taskCommentsKey(patientKey: string, taskId: string): string {
  return createHash('sha256')
    .update(JSON.stringify([patientKey, taskId]))
    .digest('hex');
}

/** A lifecycle message naming a task of its patient (`TaskComment`, `TaskMetadata`). */
interface TaskChildMessage {
  patient_identifier: { identifier: { key: string } };
  integration_payload: { task: TaskReference };
}

/**
 * What every child item of a task (a comment, a metadata key) stores first and last: the task it
 * belongs to, in its partition, and the update's provenance.
 */
export function taskChildItemFields(
  update: TaskChildMessage,
  meta: UpdateMetadata,
  appliedAt: Date,
): {
  task: { taskKey: string; patientKey: string; taskId: string };
  provenance: { updateId: string; computedAt: number; protocol?: string; appliedAt: string };
} {
  const patientKey = update.patient_identifier.identifier.key;
  const taskId = taskIdForReference(patientKey, update.integration_payload.task);
  return {
    task: { taskKey: taskCommentsKey(patientKey, taskId), patientKey, taskId },
    provenance: {
      updateId: meta.updateId,
      computedAt: meta.version,
      ...(meta.protocol === undefined ? {} : { protocol: meta.protocol }),
      appliedAt: appliedAt.toISOString(),
    },
  };
}
