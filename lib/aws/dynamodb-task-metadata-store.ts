import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  PutTaskMetadataResult,
  StoredTaskMetadata,
  TaskMetadataItem,
  TaskMetadataStore,
} from '../ports';
import { putOnExistingTask } from './put-on-existing-task';

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
    const result = await putOnExistingTask(
      this.documents,
      { tasksTable: this.tables.tasksTable, patientKey: item.patientKey, taskId: item.taskId },
      {
        TableName: this.tables.taskMetadataTable,
        Item: { ...item },
        ConditionExpression: 'attribute_not_exists(metadataKey)',
      },
    );
    if (result === 'put') return { outcome: 'written' };
    if (result === 'unknown-task') return { outcome: 'unknown-task' };
    // The key exists now (and so does its task): compare versions with it.
    return undefined;
  }
}
