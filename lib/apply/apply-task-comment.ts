import type { TaskCommentUpdate } from '../../schemas';
import type { TaskCommentItem, TaskCommentStore } from '../ports';
import { changeVersion } from './change-version';
import { utcInstantOf } from './datetime-instant';
import type { ApplyResult } from './outcomes';
import { taskChildItemFields } from './task-id';
import { unknownTaskOutcome } from './unknown-task';
import type { Delivery, UpdateMetadata } from './update-metadata';

/** The task's child-item partition (see `task-id.ts`), exported here as it always was. */
export { taskCommentsKey } from './task-id';

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
  const { task, provenance } = taskChildItemFields(update, meta, appliedAt);
  const payload = update.integration_payload;
  return {
    ...task,
    commentId: changeVersion(meta.version, meta.updateId),
    creatorKey: payload.creator.identifier.key,
    body: payload.body,
    ...(payload.created === undefined
      ? {}
      : { created: payload.created, createdInstant: utcInstantOf(payload.created) }),
    ...provenance,
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
