import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddTaskCommentResult, TaskCommentItem, TaskCommentStore } from '../ports';
import { putOnExistingTask } from './put-on-existing-task';

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
    const result = await putOnExistingTask(
      this.documents,
      {
        tasksTable: this.tables.tasksTable,
        patientKey: comment.patientKey,
        taskId: comment.taskId,
      },
      {
        TableName: this.tables.taskCommentsTable,
        Item: { ...comment },
        ConditionExpression: 'attribute_not_exists(commentId)',
      },
    );
    // An existing comment proves its task existed: a redelivery.
    return result === 'put' ? 'added' : result;
  }
}
