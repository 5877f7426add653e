import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AddTaskCommentResult, TaskCommentItem, TaskCommentStore } from '../ports';
import {
  CONDITION_FAILED,
  cancellationReasons,
  throwIfInterrupted,
} from './transaction-cancellation';

export interface TaskCommentTables {
  tasksTable: string;
  taskCommentsTable: string;
}

/** Task comments in DynamoDB; see docs/data-model.md. No read: one transaction decides. */
export class DynamoDbTaskCommentStore implements TaskCommentStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: TaskCommentTables,
  ) {}

  async add(comment: TaskCommentItem): Promise<AddTaskCommentResult> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tables.tasksTable,
                Key: { patientKey: comment.patientKey, taskId: comment.taskId },
                ConditionExpression: 'attribute_exists(taskId)',
              },
            },
            {
              Put: {
                TableName: this.tables.taskCommentsTable,
                Item: { ...comment },
                ConditionExpression: 'attribute_not_exists(commentId)',
              },
            },
          ],
        }),
      );
      return 'added';
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [task, existing] = reasons;
      // An existing comment proves its task existed: a redelivery.
      if (existing?.code === CONDITION_FAILED) return 'exists';
      if (task?.code === CONDITION_FAILED) return 'unknown-task';
      throwIfInterrupted(reasons, error);
      throw error;
    }
  }
}
