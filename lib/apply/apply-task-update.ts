import type { UpdateTaskUpdate } from '../../schemas';
import type { TaskLifecycleStore } from '../ports';
import { changeVersion } from './change-version';
import { mergeTaskUpdate } from './merge-task-update';
import type { ApplyResult } from './outcomes';
import { taskIdForReference } from './task-id';
import { unknownTaskOutcome } from './unknown-task';
import type { Delivery, UpdateMetadata } from './update-metadata';

/** Thrown when writers keep changing one task under us; transient, so the record is retried. */
export class TaskContentionError extends Error {
  override readonly name = 'TaskContentionError';
}

/** Read-merge-write rounds before giving up for this delivery. */
const MAX_ROUNDS = 5;

export interface TaskUpdateApplierDeps {
  tasks: TaskLifecycleStore;
  now: () => Date;
  /** See `unknownTaskOutcome`. */
  unknownTaskAttempts: number;
}

/**
 * Applies a TaskUpdate: reads the task, merges the update field by field (`mergeTaskUpdate`) and
 * writes the result only if nobody changed the task in between (its `revision`); otherwise reads
 * again. Reading first is fine here: lifecycle messages are rare next to memberships.
 */
export async function applyTaskUpdate(
  update: UpdateTaskUpdate,
  meta: UpdateMetadata,
  delivery: Delivery,
  deps: TaskUpdateApplierDeps,
): Promise<ApplyResult> {
  const patientKey = update.patient_identifier.identifier.key;
  const payload = update.integration_payload;
  const key = { patientKey, taskId: taskIdForReference(patientKey, payload.task) };
  const subject = { taskId: key.taskId };
  const version = changeVersion(meta.version, meta.updateId);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const task = await deps.tasks.read(key);
    if (!task) return unknownTaskOutcome(delivery, deps.unknownTaskAttempts, subject);

    const merge = mergeTaskUpdate(task, payload, version);
    const detail =
      merge.staleFields.length > 0
        ? { detail: `newer values kept for: ${merge.staleFields.join(', ')}` }
        : {};
    if (!merge.change) return { outcome: merge.outcome, subject, ...detail };

    const written = await deps.tasks.write(key, {
      ...merge.change,
      expectedRevision: task.revision,
      updateId: meta.updateId,
      ...(meta.protocol === undefined ? {} : { protocol: meta.protocol }),
      appliedAt: deps.now().toISOString(),
    });
    if (written.status === 'written') return { outcome: merge.outcome, subject, ...detail };
    if (written.status === 'inactive-label') {
      const where = merge.change.labelsToEnsure[written.label]?.payloadIndex ?? written.label;
      return {
        outcome: 'rejected',
        subject,
        rejection: {
          code: 'inactive-label',
          detail: `labels_added[${where}] is an inactive label; nothing was written`,
        },
      };
    }
    // The task changed since it was read: merge again against what is stored now.
  }
  throw new TaskContentionError(`the task kept changing during ${MAX_ROUNDS} rounds`);
}
