import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** Keys to read from one table, and the attributes to return. */
export interface TableKeys {
  table: string;
  keys: readonly Key[];
  /** The attributes to return (all when empty). */
  attributes: readonly string[];
}

/** BatchGetItem takes at most 100 keys per request, over all its tables. */
const KEYS_PER_REQUEST = 100;
/**
 * Requests per chunk while keys come back unprocessed (throttling, or the 16 MB response limit),
 * with a backoff of 20, 40, ... 320 ms: under a second, then the caller's own retry (SQS) takes over.
 */
const MAX_ATTEMPTS = 6;

/** Thrown when DynamoDB keeps leaving keys unprocessed; transient, so the caller is retried. */
export class UnprocessedKeysError extends Error {
  override readonly name = 'UnprocessedKeysError';
}

/**
 * Reads every key (BatchGetItem, 100 keys to a request across tables, unprocessed keys retried
 * with backoff). Returns the items found per table; a key without an item is simply absent.
 * `consistent` asks for strongly consistent reads (twice the read units).
 */
export async function batchGetItems(
  documents: DynamoDBDocumentClient,
  requests: readonly TableKeys[],
  options: { consistent: boolean },
): Promise<Map<string, Item[]>> {
  const found = new Map<string, Item[]>(requests.map((r) => [r.table, []]));
  const attributesOf = new Map(requests.map((r) => [r.table, r.attributes]));
  const all = requests.flatMap((r) => r.keys.map((key) => ({ table: r.table, key })));
  for (let i = 0; i < all.length; i += KEYS_PER_REQUEST) {
    let pending: Map<string, Key[]> = groupByTable(all.slice(i, i + KEYS_PER_REQUEST));
    for (let attempt = 0; pending.size > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS)
        throw new UnprocessedKeysError(`keys left unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
      const response = await documents.send(
        new BatchGetCommand({
          RequestItems: Object.fromEntries(
            [...pending].map(([table, keys]) => {
              const attributes = attributesOf.get(table) ?? [];
              // Names, not the attributes themselves: some (`name`) are reserved words.
              const projection =
                attributes.length === 0
                  ? {}
                  : {
                      ProjectionExpression: attributes.map((_, n) => `#a${n}`).join(', '),
                      ExpressionAttributeNames: Object.fromEntries(
                        attributes.map((name, n) => [`#a${n}`, name]),
                      ),
                    };
              return [table, { Keys: keys, ConsistentRead: options.consistent, ...projection }];
            }),
          ),
        }),
      );
      for (const [table, items] of Object.entries(response.Responses ?? {}))
        found.get(table)?.push(...items);
      pending = new Map(
        Object.entries(response.UnprocessedKeys ?? {})
          .map(([table, request]) => [table, (request.Keys ?? []) as Key[]] as const)
          .filter(([, keys]) => keys.length > 0),
      );
    }
  }
  return found;
}

function groupByTable(keys: readonly { table: string; key: Key }[]): Map<string, Key[]> {
  const byTable = new Map<string, Key[]>();
  for (const { table, key } of keys) {
    const list = byTable.get(table) ?? [];
    list.push(key);
    byTable.set(table, list);
  }
  return byTable;
}
