import { createHash } from 'node:crypto';
import type { TaskReference } from '../../schemas';

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
