import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  CONDITION_FAILED,
  cancellationReasons,
  throwIfInterrupted,
} from './transaction-cancellation';

/** The task an item belongs to. */
export interface TaskOfItem {
  tasksTable: string;
  patientKey: string;
  taskId: string;
}

/** A conditional put of an item that belongs to a task (a comment, a metadata key). */
export interface ItemPut {
  TableName: string;
  Item: Record<string, unknown>;
  /** Refuses the put when it fails, e.g. `attribute_not_exists(commentId)`. */
  ConditionExpression: string;
}

/** `exists`: the item's own condition failed (so its task existed); `unknown-task`: the task did. */
export type PutOnTaskResult = 'put' | 'exists' | 'unknown-task';

/**
 * One transaction: a `ConditionCheck` that the task exists and the item's conditional `Put`.
 * A failed item condition wins over a missing task: an item already there proves its task
 * existed. Any other cancellation is thrown as a transient error.
 */
export async function putOnExistingTask(
  documents: DynamoDBDocumentClient,
  task: TaskOfItem,
  put: ItemPut,
): Promise<PutOnTaskResult> {
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: task.tasksTable,
              Key: { patientKey: task.patientKey, taskId: task.taskId },
              ConditionExpression: 'attribute_exists(taskId)',
            },
          },
          { Put: put },
        ],
      }),
    );
    return 'put';
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    const [taskReason, itemReason] = reasons;
    if (itemReason?.code === CONDITION_FAILED) return 'exists';
    if (taskReason?.code === CONDITION_FAILED) return 'unknown-task';
    throwIfInterrupted(reasons, error);
    throw error;
  }
}
