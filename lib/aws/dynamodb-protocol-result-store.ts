import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type RecordedResult,
  type ResultKey,
  resultKeyId,
  type StoredResult,
} from '../compute/protocol-results';
import type { ProtocolResultStore } from '../ports/compute';
import { STATUS_NOT_APPLICABLE } from '../protocol/protocol-result';
import { batchGetItems } from './batch-get-items';

/** The sparse index of a protocol's population by status (resources/tables.yml). */
export const RESULTS_BY_PROTOCOL_STATUS_INDEX = 'byProtocolStatus';
/**
 * Its partition key: `<protocol>#<status>#<shard>`, absent for `not_applicable` (see
 * `statusKeyOf`).
 */
export const RESULT_STATUS_KEY = 'statusKey';

/** Statuses the index leaves out: most of any population, and nobody asks who they are. */
export const UNINDEXED_STATUSES: readonly string[] = [STATUS_NOT_APPLICABLE];

/**
 * Index partitions per (protocol, status): a first run writes a whole population's results in
 * minutes, and one index partition takes about 1,000 writes a second; the patients of one status
 * are spread over this many (a reader queries them all).
 */
export const RESULT_STATUS_SHARDS = 8;

/** The shard of a patient: a fixed number in `[0, RESULT_STATUS_SHARDS)` from its key. */
export function statusShardOf(patientKey: string): number {
  const hex = createHash('sha256').update(patientKey).digest('hex').slice(0, 8);
  return Number.parseInt(hex, 16) % RESULT_STATUS_SHARDS;
}

/** The index key of a protocol's result with this status; undefined when not indexed. */
export function statusKeyOf(protocol: string, status: string, shard: number): string | undefined {
  return UNINDEXED_STATUSES.includes(status) ? undefined : `${protocol}#${status}#${shard}`;
}

/** The attributes a computation compares with (the rest of the item is not read). */
const COMPARED = [
  'patientKey',
  'protocol',
  'protocolVersion',
  'contentHash',
  'updatesDigest',
  'updatesSentAt',
  'computedAt',
] as const;

/** Attributes of ours a result data field must not overwrite. */
const OWN = new Set<string>([...COMPARED, 'updatesCount', RESULT_STATUS_KEY]);

/** Conditional writes in flight at once (each a PutItem). */
const WRITE_CONCURRENCY = 10;

/** The results-table item of a recorded result (docs/data-model.md, protocol results). */
export function protocolResultItem(record: RecordedResult): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.result))
    if (!OWN.has(name) && value !== undefined) item[name] = value;
  const status = typeof record.result.status === 'string' ? record.result.status : '';
  const statusKey = statusKeyOf(record.protocol, status, statusShardOf(record.patientKey));
  return {
    ...item,
    patientKey: record.patientKey,
    protocol: record.protocol,
    protocolVersion: record.protocolVersion,
    computedAt: record.computedAt,
    contentHash: record.contentHash,
    updatesDigest: record.updatesDigest,
    updatesSentAt: record.updatesSentAt,
    updatesCount: record.updatesCount,
    ...(statusKey === undefined ? {} : { [RESULT_STATUS_KEY]: statusKey }),
  };
}

/** `ProtocolResultStore` over the DynamoDB protocol results table (`patientKey`, `protocol`). */
export class DynamoDbProtocolResultStore implements ProtocolResultStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * BatchGetItem, 100 keys a request, eventually consistent (half the read units): a read that
   * misses a write of the last second costs at most one run's delay (docs/scaling.md).
   */
  async getMany(keys: readonly ResultKey[]): Promise<Map<string, StoredResult>> {
    const unique = new Map(keys.map((k) => [resultKeyId(k), k]));
    const found = await batchGetItems(
      this.documents,
      [
        {
          table: this.tableName,
          keys: [...unique.values()].map((k) => ({
            patientKey: k.patientKey,
            protocol: k.protocol,
          })),
          attributes: COMPARED,
        },
      ],
      { consistent: false },
    );
    const stored = new Map<string, StoredResult>();
    for (const item of found.get(this.tableName) ?? []) {
      const result = storedResultOf(item);
      if (result) stored.set(resultKeyId(result), result);
    }
    return stored;
  }

  /**
   * One conditional PutItem per result: written unless the stored one comes from a later
   * computation (`computedAt` is ISO with `Z` and milliseconds, so strings compare as times).
   */
  async putMany(results: readonly RecordedResult[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < results.length; i += WRITE_CONCURRENCY) {
      const outcomes = await Promise.all(
        results.slice(i, i + WRITE_CONCURRENCY).map((record) => this.#put(record)),
      );
      written += outcomes.filter(Boolean).length;
    }
    return written;
  }

  async #put(record: RecordedResult): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: protocolResultItem(record),
          ConditionExpression: 'attribute_not_exists(patientKey) OR computedAt <= :computedAt',
          ExpressionAttributeValues: { ':computedAt': record.computedAt },
        }),
      );
      return true;
    } catch (error) {
      // A later computation recorded its result first: it stands.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The compared attributes of a stored item; undefined for an item without them. */
function storedResultOf(item: Record<string, unknown>): StoredResult | undefined {
  const text = (name: string) => (typeof item[name] === 'string' ? String(item[name]) : undefined);
  const [patientKey, protocol, protocolVersion, contentHash, updatesDigest, updatesSentAt] = [
    text('patientKey'),
    text('protocol'),
    text('protocolVersion'),
    text('contentHash'),
    text('updatesDigest'),
    text('updatesSentAt'),
  ];
  if (!patientKey || !protocol || !protocolVersion || !contentHash || !updatesDigest)
    return undefined;
  if (!updatesSentAt) return undefined;
  return {
    patientKey,
    protocol,
    protocolVersion,
    contentHash,
    updatesDigest,
    updatesSentAt,
    computedAt: text('computedAt') ?? updatesSentAt,
  };
}
