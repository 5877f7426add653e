import type { ApplyResult, LogSubject } from './outcomes';
import type { Delivery } from './update-metadata';

/** Deliveries of a message whose task is missing, the last one included, before it is refused. */
export const DEFAULT_UNKNOWN_TASK_ATTEMPTS = 3;

/** Thrown while a lifecycle message's task may still be on its way: the record is retried. */
export class TaskNotFoundYetError extends Error {
  override readonly name = 'TaskNotFoundYet';
}

/**
 * A lifecycle message whose task is not stored. Its creation travels on another queue and may
 * simply not be applied yet (SQS does not order across queues), so the record is retried until
 * its `attempts`-th delivery, then refused with `unknown-task`. Throws while retrying.
 */
export function unknownTaskOutcome(
  delivery: Delivery,
  attempts: number,
  subject: LogSubject,
): ApplyResult {
  if (delivery.receiveCount < attempts) {
    throw new TaskNotFoundYetError(
      `task not found on delivery ${delivery.receiveCount} of ${attempts}; retrying`,
    );
  }
  return {
    outcome: 'rejected',
    subject,
    rejection: {
      code: 'unknown-task',
      detail: `the task does not exist (not found on ${delivery.receiveCount} deliveries); nothing was written`,
    },
  };
}
