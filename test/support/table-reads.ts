import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TestStack } from './local-stack';

type Item = Record<string, unknown>;

/** One item of a stack's table (by logical id, e.g. `TasksTable`), read consistently. */
export async function storedItem(
  stack: Pick<TestStack, 'documents' | 'tables'>,
  table: string,
  key: Item,
): Promise<Item | undefined> {
  const { Item } = await stack.documents.send(
    new GetCommand({ TableName: stack.tables[table], Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Every item of a stack's table under one partition key value, read consistently. */
export async function itemsUnder(
  stack: Pick<TestStack, 'documents' | 'tables'>,
  table: string,
  partitionKey: string,
  value: string,
): Promise<Item[]> {
  const { Items } = await stack.documents.send(
    new QueryCommand({
      TableName: stack.tables[table],
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': partitionKey },
      ExpressionAttributeValues: { ':k': value },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}
