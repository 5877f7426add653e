import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyFailure } from '../../../lib/apply/failure-reason';
import { batchGetItems, UnprocessedKeysError } from '../../../lib/aws/batch-get-items';
import {
  DynamoDbMembershipStore,
  membershipStateFromItem,
} from '../../../lib/aws/dynamodb-membership-store';
import { isNewerStamp } from '../../../lib/ports';

// DynamoDB Local cannot be made to cancel a transaction for a conflict, nor to leave BatchGetItem
// keys unprocessed, on demand, and the store never writes a membership without a version: these
// cases stub the client's `send` with what DynamoDB returns.
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

  it('judges again against the membership item a failed condition returned', async () => {
    const { client } = clientAnswering(() => {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          {
            Code: 'ConditionalCheckFailed',
            Item: {
              active: { BOOL: true },
              version: { N: '3' },
              lastUpdateId: { S: 'u-3' },
              startedAt: { S: '2024-01-02T00:00:00.000Z' },
            },
          },
        ],
      });
    });
    const store = new DynamoDbMembershipStore(client, tables);

    const result = await store.transition(key, true, stamp, from);

    expect(result).toEqual({
      written: false,
      current: {
        active: true,
        version: 3,
        lastUpdateId: 'u-3',
        startedAt: '2024-01-02T00:00:00.000Z',
      },
    });
  });
});

describe('DynamoDbMembershipStore reading a membership stored without a version', () => {
  it('reads it as older than any stamp, as a failed condition would return it', async () => {
    const { client } = clientAnswering(() => ({
      Responses: { m: [{ groupId: 'g-1', patientKey: 'p-1', active: false, lastUpdateId: 'u-1' }] },
    }));
    const store = new DynamoDbMembershipStore(client, tables);

    const states = await store.readMemberships('g-1', ['p-1']);

    const state = states.get('p-1');
    expect(state).toEqual({
      active: false,
      version: Number.NEGATIVE_INFINITY,
      lastUpdateId: 'u-1',
    });
    // Older than any stamp: the entry's refusal is judged as a change of state (never NaN, which
    // would make every stamp look older and lift the refusal).
    expect(state && isNewerStamp(stamp, state)).toBe(true);
    // The same item in AttributeValue form (a failed condition's ALL_OLD) reads the same.
    expect(
      membershipStateFromItem({
        groupId: { S: 'g-1' },
        patientKey: { S: 'p-1' },
        active: { BOOL: false },
        lastUpdateId: { S: 'u-1' },
      }),
    ).toEqual(state);
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
