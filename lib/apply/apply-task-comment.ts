import { createHash } from 'node:crypto';
import type { TaskCommentUpdate } from '../../schemas';
import type { TaskCommentItem, TaskCommentStore } from '../ports';
import { changeVersion } from './change-version';
import { utcInstantOf } from './datetime-instant';
import type { ApplyResult } from './outcomes';
import { taskIdForReference } from './task-id';
import { unknownTaskOutcome } from './unknown-task';
import type { Delivery, UpdateMetadata } from './update-metadata';

/**
 * The comments partition of a task: sha256 of JSON [patientKey, taskId]. Unambiguous, and a fixed
 * 64 characters however long (or escaped) the two keys are.
 */
export function taskCommentsKey(patientKey: string, taskId: string): string {
  return createHash('sha256')
    .update(JSON.stringify([patientKey, taskId]))
    .digest('hex');
}

export interface TaskCommentApplierDeps {
  comments: TaskCommentStore;
  now: () => Date;
  unknownTaskAttempts: number;
}

/** The comment item. Its id is the update's version: a redelivery maps to the same item. */
export function taskCommentItemFor(
  update: TaskCommentUpdate,
  meta: UpdateMetadata,
  appliedAt: Date,
): TaskCommentItem {
  const patientKey = update.patient_identifier.identifier.key;
  const payload = update.integration_payload;
  const taskId = taskIdForReference(patientKey, payload.task);
  return {
    taskKey: taskCommentsKey(patientKey, taskId),
    commentId: changeVersion(meta.version, meta.updateId),
    patientKey,
    taskId,
    creatorKey: payload.creator.identifier.key,
    body: payload.body,
    ...(payload.created === undefined
      ? {}
      : { created: payload.created, createdInstant: utcInstantOf(payload.created) }),
    updateId: meta.updateId,
    computedAt: meta.version,
    ...(meta.protocol === undefined ? {} : { protocol: meta.protocol }),
    appliedAt: appliedAt.toISOString(),
  };
}

/** Applies a TaskComment: adds the comment to its task once, however often delivered. */
export async function applyTaskComment(
  update: TaskCommentUpdate,
  meta: UpdateMetadata,
  delivery: Delivery,
  deps: TaskCommentApplierDeps,
): Promise<ApplyResult> {
  const item = taskCommentItemFor(update, meta, deps.now());
  const subject = { taskId: item.taskId };
  const result = await deps.comments.add(item);
  if (result === 'added') return { outcome: 'applied', subject };
  if (result === 'exists')
    return { outcome: 'no-op', subject, detail: 'the comment exists already' };
  return unknownTaskOutcome(delivery, deps.unknownTaskAttempts, subject);
}
