import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  PutTaskMetadataResult,
  StoredTaskMetadata,
  TaskMetadataItem,
  TaskMetadataStore,
} from '../ports';
import {
  CONDITION_FAILED,
  cancellationReasons,
  throwIfInterrupted,
} from './transaction-cancellation';

export interface TaskMetadataTables {
  tasksTable: string;
  taskMetadataTable: string;
}

function stored(item: Record<string, unknown>): StoredTaskMetadata {
  return { value: String(item.value), version: String(item.version) };
}

/** Thrown when a key's first write lost a race and the item it lost to is not there (cannot be). */
export class TaskMetadataContentionError extends Error {
  override readonly name = 'TaskMetadataContentionError';
}

/**
 * Task metadata in DynamoDB (docs/data-model.md): one item per (task, key). No read first: a key
 * that exists is replaced by one `PutItem` conditioned on an older version (an existing key proves
 * its task existed: tasks are never deleted); only a key's first write is a transaction that also
 * checks the task.
 */
export class DynamoDbTaskMetadataStore implements TaskMetadataStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: TaskMetadataTables,
  ) {}

  async put(item: TaskMetadataItem): Promise<PutTaskMetadataResult> {
    // Two rounds: a first write that loses to a concurrent first write finds the key next round.
    for (let round = 0; round < 2; round++) {
      const replaced = await this.replaceOlder(item);
      if (replaced) return replaced;
      const created = await this.createFirst(item);
      if (created) return created;
    }
    throw new TaskMetadataContentionError('the key was written concurrently; retrying');
  }

  /** The key exists: replaced if older; undefined when the key has no item yet. */
  private async replaceOlder(item: TaskMetadataItem): Promise<PutTaskMetadataResult | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new PutCommand({
          TableName: this.tables.taskMetadataTable,
          Item: { ...item },
          ConditionExpression: 'attribute_exists(metadataKey) AND #version < :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': item.version },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'written', ...(Attributes ? { previous: stored(Attributes) } : {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined || Object.keys(error.Item).length === 0) return undefined;
      return { outcome: 'not-newer', current: stored(unmarshall(error.Item)) };
    }
  }

  /** The key's first write, if its task exists; undefined when another write created the key. */
  private async createFirst(item: TaskMetadataItem): Promise<PutTaskMetadataResult | undefined> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tables.tasksTable,
                Key: { patientKey: item.patientKey, taskId: item.taskId },
                ConditionExpression: 'attribute_exists(taskId)',
              },
            },
            {
              Put: {
                TableName: this.tables.taskMetadataTable,
                Item: { ...item },
                ConditionExpression: 'attribute_not_exists(metadataKey)',
              },
            },
          ],
        }),
      );
      return { outcome: 'written' };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [task, existing] = reasons;
      // The key exists now (and so does its task): compare versions with it.
      if (existing?.code === CONDITION_FAILED) return undefined;
      if (task?.code === CONDITION_FAILED) return { outcome: 'unknown-task' };
      throwIfInterrupted(reasons, error);
      throw error;
    }
  }
}
