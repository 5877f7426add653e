import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyFailure } from '../../../lib/apply/failure-reason';
import { batchGetItems, UnprocessedKeysError } from '../../../lib/aws/batch-get-items';
import { DynamoDbMembershipStore } from '../../../lib/aws/dynamodb-membership-store';

// DynamoDB Local cannot be made to cancel a transaction for a conflict, nor to leave BatchGetItem
// keys unprocessed, on demand: these cases stub the client's `send` with what DynamoDB returns.
// Conditions and the 100-key split are covered against DynamoDB Local in test/integration.
function clientAnswering(...answers: (() => unknown)[]): {
  client: DynamoDBDocumentClient;
  inputs: unknown[];
} {
  const inputs: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      inputs.push(structuredClone(command.input));
      const answer = answers[Math.min(inputs.length, answers.length) - 1];
      return answer?.();
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, inputs };
}

const tables = { patientsTable: 'p', groupsTable: 'g', membershipsTable: 'm' };
const key = { groupId: 'g-1', patientKey: 'p-1' };
const stamp = { version: 2, updateId: 'u-2', at: '2024-01-01T00:00:00.000Z' };
const from = { active: false, version: 1, lastUpdateId: 'u-1' };

describe('DynamoDbMembershipStore activation', () => {
  it('turns a transaction conflict into a transient error', async () => {
    const { client } = clientAnswering(() => {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      });
    });
    const store = new DynamoDbMembershipStore(client, tables);

    const error = await store.transition(key, true, stamp, from).catch((e: unknown) => e);

    expect(classifyFailure(error)).toBe('transaction-conflict');
  });
});

describe('batchGetItems', () => {
  const request = [
    { table: 'g', keys: [{ groupId: 'a' }, { groupId: 'b' }], attributes: ['name'] },
  ];

  it('asks again for the keys DynamoDB left unprocessed, and only for them', async () => {
    const { client, inputs } = clientAnswering(
      () => ({
        Responses: { g: [{ groupId: 'a' }] },
        UnprocessedKeys: { g: { Keys: [{ groupId: 'b' }] } },
      }),
      () => ({ Responses: { g: [{ groupId: 'b' }] } }),
    );

    const found = await batchGetItems(client, request, { consistent: true });

    expect(found.get('g')).toEqual([{ groupId: 'a' }, { groupId: 'b' }]);
    expect(inputs).toEqual([
      {
        RequestItems: {
          g: {
            Keys: [{ groupId: 'a' }, { groupId: 'b' }],
            ConsistentRead: true,
            ProjectionExpression: '#a0',
            ExpressionAttributeNames: { '#a0': 'name' },
          },
        },
      },
      {
        RequestItems: {
          g: expect.objectContaining({ Keys: [{ groupId: 'b' }], ConsistentRead: true }),
        },
      },
    ]);
  });

  it('gives up with a transient error when keys stay unprocessed', async () => {
    const { client, inputs } = clientAnswering(() => ({
      Responses: {},
      UnprocessedKeys: { g: { Keys: [{ groupId: 'b' }] } },
    }));

    await expect(batchGetItems(client, request, { consistent: false })).rejects.toBeInstanceOf(
      UnprocessedKeysError,
    );
    expect(inputs.length).toBe(6);
  });
});
