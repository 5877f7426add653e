import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CreateTaskResult, LabelRef, TaskItem, TaskKey, TaskStore } from '../ports';
import { labelUpsert } from './label-upsert';
import {
  CONDITION_FAILED,
  cancellationReasons,
  throwIfInterrupted,
} from './transaction-cancellation';

export interface TaskTables {
  patientsTable: string;
  tasksTable: string;
  labelsTable: string;
}

/** DynamoDB allows 100 operations per transaction: the patient check, the task, the labels. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Tasks and labels in DynamoDB; see docs/data-model.md. */
export class DynamoDbTaskStore implements TaskStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: TaskTables,
  ) {}

  /**
   * One strongly consistent `GetItem` projecting the key only (1 read unit for an item up to 4 KB:
   * a read is charged by item size, not by what it returns).
   */
  async exists(key: TaskKey): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tables.tasksTable,
        Key: { patientKey: key.patientKey, taskId: key.taskId },
        ConsistentRead: true,
        ProjectionExpression: 'taskId',
      }),
    );
    return Item !== undefined;
  }

  async create(task: TaskItem, labels: readonly LabelRef[]): Promise<CreateTaskResult> {
    if (labels.length + 2 > MAX_TRANSACTION_ITEMS) {
      throw new Error(`a task with ${labels.length} labels exceeds one transaction`);
    }
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tables.patientsTable,
                Key: { patientKey: task.patientKey },
                ConditionExpression: 'attribute_exists(patientKey)',
              },
            },
            {
              Put: {
                TableName: this.tables.tasksTable,
                Item: { ...task },
                ConditionExpression: 'attribute_not_exists(taskId)',
              },
            },
            ...labels.map((label) =>
              labelUpsert(this.tables.labelsTable, label, {
                at: task.appliedAt,
                updateId: task.sourceUpdateId,
              }),
            ),
          ],
        }),
      );
      return { status: 'created' };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [patient, taskReason, ...labelReasons] = reasons;
      // A task that exists was created by an earlier delivery: whatever else changed since.
      if (taskReason?.code === CONDITION_FAILED) return { status: 'exists' };
      if (patient?.code === CONDITION_FAILED) return { status: 'unknown-patient' };
      const inactive = labelReasons.findIndex((r) => r.code === CONDITION_FAILED);
      if (inactive >= 0) return { status: 'inactive-label', label: inactive };
      throwIfInterrupted(reasons, error);
      throw error;
    }
  }
}
