import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  StoredTaskState,
  TaskChange,
  TaskKey,
  TaskLifecycleStore,
  WriteTaskChangeResult,
} from '../ports';
import { MAX_TRANSACTION_ITEMS } from './dynamodb-task-store';
import { labelUpsert } from './label-upsert';
import {
  CONDITION_FAILED,
  cancellationReasons,
  throwIfInterrupted,
} from './transaction-cancellation';

export interface TaskLifecycleTables {
  tasksTable: string;
  labelsTable: string;
}

/** The attributes a change reads (`#status`: a reserved word). */
const READ_PROJECTION =
  '#status, title, teamId, due, assigneeKey, labels, computedAt, sourceUpdateId, fieldVersions, revision';

/** Changes of existing tasks in DynamoDB; see docs/task-lifecycle.md and docs/data-model.md. */
export class DynamoDbTaskLifecycleStore implements TaskLifecycleStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: TaskLifecycleTables,
  ) {}

  async read(key: TaskKey): Promise<StoredTaskState | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tables.tasksTable,
        Key: { patientKey: key.patientKey, taskId: key.taskId },
        ConsistentRead: true,
        ProjectionExpression: READ_PROJECTION,
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item as StoredTaskState | undefined;
  }

  async write(key: TaskKey, change: TaskChange): Promise<WriteTaskChangeResult> {
    if (change.labelsToEnsure.length + 1 > MAX_TRANSACTION_ITEMS) {
      throw new Error(
        `a change adding ${change.labelsToEnsure.length} labels exceeds one transaction`,
      );
    }
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const set = (attribute: string, value: unknown) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    for (const [attribute, value] of Object.entries(change.values)) set(attribute, value);
    if (change.labels !== undefined) {
      // An empty list is left out, as on creation.
      if (change.labels.length > 0) set('labels', change.labels);
      else {
        names['#labels'] = 'labels';
        removes.push('#labels');
      }
    }
    set('fieldVersions', change.fieldVersions);
    set('revision', (change.expectedRevision ?? 0) + 1);
    set('updatedAt', change.appliedAt);
    set('lastUpdateId', change.updateId);
    if (change.protocol !== undefined) set('lastProtocol', change.protocol);

    let condition: string;
    if (change.expectedRevision === undefined) {
      condition = 'attribute_exists(taskId) AND attribute_not_exists(#revision)';
    } else {
      condition = '#revision = :expectedRevision';
      values[':expectedRevision'] = change.expectedRevision;
    }

    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.tasksTable,
                Key: { patientKey: key.patientKey, taskId: key.taskId },
                UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
                ConditionExpression: condition,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
            ...change.labelsToEnsure.map((label) =>
              labelUpsert(this.tables.labelsTable, label, {
                at: change.appliedAt,
                updateId: change.updateId,
              }),
            ),
          ],
        }),
      );
      return { status: 'written' };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [task, ...labels] = reasons;
      // Changed (or gone) since read, or collided with another transaction: read again.
      if (task?.code === CONDITION_FAILED) return { status: 'conflict' };
      if (reasons.some((r) => r.code === 'TransactionConflict')) return { status: 'conflict' };
      const inactive = labels.findIndex((r) => r.code === CONDITION_FAILED);
      if (inactive >= 0) return { status: 'inactive-label', label: inactive };
      throwIfInterrupted(reasons, error);
      throw error;
    }
  }
}
