import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

export interface PageResult {
  items: Item[];
  /** True when `limit` stopped the reading while more items may match. */
  truncated: boolean;
}

/**
 * Every page of a Query or Scan, keeping the items `accept` keeps, until `limit` of them (default:
 * all). DynamoDB applies a FilterExpression after reading a page, so a page may be empty while
 * more follow: only `LastEvaluatedKey` says when to stop.
 */
async function readPages(
  send: (startKey: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
  options: { limit?: number; accept?: (item: Item) => boolean },
): Promise<PageResult> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await send(startKey);
    for (const item of page.Items ?? []) {
      if (options.accept && !options.accept(item)) continue;
      if (items.length === limit) return { items, truncated: true };
      items.push(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, truncated: false };
}

export function queryPages(
  documents: DynamoDBDocumentClient,
  input: QueryCommandInput,
  options: { limit?: number; accept?: (item: Item) => boolean } = {},
): Promise<PageResult> {
  return readPages(
    (ExclusiveStartKey) => documents.send(new QueryCommand({ ...input, ExclusiveStartKey })),
    options,
  );
}

export function scanPages(
  documents: DynamoDBDocumentClient,
  input: ScanCommandInput,
  options: { limit?: number; accept?: (item: Item) => boolean } = {},
): Promise<PageResult> {
  return readPages(
    (ExclusiveStartKey) => documents.send(new ScanCommand({ ...input, ExclusiveStartKey })),
    options,
  );
}
