import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { classifyFailure } from '../../../lib/apply/failure-reason';
import { DynamoDbTaskMetadataStore } from '../../../lib/aws/dynamodb-task-metadata-store';
import type { TaskMetadataItem } from '../../../lib/ports';

// DynamoDB Local cannot throttle or cancel a transaction for a conflict on demand: the client's
// `send` is stubbed with the exceptions DynamoDB returns. The rest is tested on DynamoDB Local
// (test/integration/apply-task-metadata.test.ts).

const item: TaskMetadataItem = {
  taskKey: 'k',
  metadataKey: 'm',
  patientKey: 'p1',
  taskId: 't',
  value: 'v',
  version: '0000001700000000#u',
  updateId: 'u',
  computedAt: 1_700_000_000_000,
  appliedAt: '2024-01-01T00:00:00.000Z',
};
const tables = { tasksTable: 'tasks', taskMetadataTable: 'metadata' };

/** A key with no item yet (the PutItem's condition fails, no item), then `transaction` for the rest. */
function client(transaction: () => Error): DynamoDBDocumentClient {
  return {
    send: async (command: unknown) => {
      if (command instanceof PutCommand)
        throw new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
      throw transaction();
    },
  } as unknown as DynamoDBDocumentClient;
}

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('DynamoDbTaskMetadataStore: failures DynamoDB Local cannot produce', () => {
  it('turns a conflict on a first write into a transient transaction conflict', async () => {
    const store = new DynamoDbTaskMetadataStore(
      client(() => cancelled('None', 'TransactionConflict')),
      tables,
    );

    expect(classifyFailure(await store.put(item).catch((e: unknown) => e))).toBe(
      'transaction-conflict',
    );
  });

  it('turns throttling of the replace into a transient error', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const store = new DynamoDbTaskMetadataStore(
      { send: async () => Promise.reject(throttled) } as unknown as DynamoDBDocumentClient,
      tables,
    );

    expect(classifyFailure(await store.put(item).catch((e: unknown) => e))).toBe('throttled');
  });

  it('reports a missing task, and gives up retrying a key that vanishes between rounds', async () => {
    const missing = new DynamoDbTaskMetadataStore(
      client(() => cancelled('ConditionalCheckFailed', 'None')),
      tables,
    );
    const vanishing = new DynamoDbTaskMetadataStore(
      client(() => cancelled('None', 'ConditionalCheckFailed')),
      tables,
    );

    await expect(missing.put(item)).resolves.toEqual({ outcome: 'unknown-task' });
    await expect(vanishing.put(item)).rejects.toThrow('written concurrently');
  });
});
