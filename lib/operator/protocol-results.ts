import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  RESULT_STATUS_KEY,
  RESULT_STATUS_SHARDS,
  RESULTS_BY_PROTOCOL_STATUS_INDEX,
  statusKeyOf,
  UNINDEXED_STATUSES,
} from '../aws/dynamodb-protocol-result-store';
import { PROTOCOL_STATUSES } from '../protocol/protocol-result';
import { parseKeyArgument } from './arguments';
import type { DirectoryContext } from './directory-context';
import { OperatorError } from './operator-error';
import { queryPages } from './paginate';

/** The statuses the sparse index `byProtocolStatus` holds (all but `not_applicable`). */
export const INDEXED_RESULT_STATUSES: readonly string[] = PROTOCOL_STATUSES.filter(
  (status) => !UNINDEXED_STATUSES.includes(status),
);

/** One recorded protocol result (docs/data-model.md, protocol results). */
export interface ResultSummary {
  patientKey: string;
  protocol: string;
  protocolVersion?: string;
  status: string;
  dueIn: number | null;
  nextReview: string | null;
  /** Read from the table only (`patients results`): the index does not project them. */
  narratives?: string[];
  recommendations?: unknown[];
  computedAt?: string;
  updatesSentAt?: string;
  updatesCount?: number;
}

function resultSummary(item: Record<string, unknown>): ResultSummary {
  const text = (name: string) => (typeof item[name] === 'string' ? String(item[name]) : undefined);
  const summary: ResultSummary = {
    patientKey: String(item.patientKey),
    protocol: text('protocol') ?? String(item[RESULT_STATUS_KEY] ?? '').split('#')[0] ?? '',
    protocolVersion: text('protocolVersion'),
    status: text('status') ?? '',
    dueIn: typeof item.dueIn === 'number' ? item.dueIn : null,
    nextReview: text('nextReview') ?? null,
  };
  if (Array.isArray(item.narratives)) summary.narratives = item.narratives.map(String);
  if (Array.isArray(item.recommendations)) summary.recommendations = item.recommendations;
  for (const name of ['computedAt', 'updatesSentAt'] as const) {
    const value = text(name);
    if (value !== undefined) summary[name] = value;
  }
  if (typeof item.updatesCount === 'number') summary.updatesCount = item.updatesCount;
  return summary;
}

function parseStatusArgument(value: string): string {
  const status = value.trim().toLowerCase();
  if (UNINDEXED_STATUSES.includes(status))
    throw new OperatorError(
      'invalid-argument',
      `--status: ${status} results are not indexed (most of any population; the index is sparse): list a patient's results with \`patients results <patientKey>\``,
    );
  if (!INDEXED_RESULT_STATUSES.includes(status))
    throw new OperatorError(
      'invalid-argument',
      `--status: must be one of ${INDEXED_RESULT_STATUSES.join(', ')}`,
    );
  return status;
}

export interface ProtocolResultsQuery {
  protocol: string;
  /** One status; absent: every indexed status. */
  status?: string;
  /** At most this many results (default all). */
  limit?: number;
}

export interface ProtocolResultsPage {
  results: ResultSummary[];
  /** True when `limit` stopped the listing while more results match. */
  truncated: boolean;
}

/**
 * A protocol's population by status: Queries of the sparse index `byProtocolStatus`
 * (`statusKey = <protocol>#<status>#<shard>`, every shard) per status asked for; within a status,
 * in patient-key order. Its cost follows the population with that status, never the whole table.
 * `not_applicable` is not indexed (refused with the reason).
 */
export async function protocolResults(
  context: DirectoryContext,
  query: ProtocolResultsQuery,
): Promise<ProtocolResultsPage> {
  const protocol = parseKeyArgument('protocol', query.protocol);
  const statuses =
    query.status === undefined ? INDEXED_RESULT_STATUSES : [parseStatusArgument(query.status)];
  let remaining = query.limit ?? Number.POSITIVE_INFINITY;
  const results: ResultSummary[] = [];
  for (const status of statuses) {
    if (remaining <= 0) return { results, truncated: true };
    const limit = Number.isFinite(remaining) ? remaining : undefined;
    const shards = await Promise.all(
      Array.from({ length: RESULT_STATUS_SHARDS }, (_, shard) =>
        queryPages(
          context.documents,
          {
            TableName: context.tables.protocolResults,
            IndexName: RESULTS_BY_PROTOCOL_STATUS_INDEX,
            KeyConditionExpression: '#k = :k',
            ExpressionAttributeNames: { '#k': RESULT_STATUS_KEY },
            ExpressionAttributeValues: { ':k': statusKeyOf(protocol, status, shard) },
          },
          { limit },
        ),
      ),
    );
    const found = shards
      .flatMap((page) => page.items.map((item) => ({ ...resultSummary(item), protocol })))
      .sort((a, b) => (a.patientKey < b.patientKey ? -1 : a.patientKey > b.patientKey ? 1 : 0));
    const kept = found.slice(0, limit);
    results.push(...kept);
    remaining -= kept.length;
    if (kept.length < found.length || shards.some((page) => page.truncated))
      return { results, truncated: true };
  }
  return { results, truncated: false };
}

/**
 * Every recorded result of one patient (a Query of the patient's partition), one per protocol,
 * in protocol-key order. Unknown patient: not-found (an existence check that reads no patient
 * data).
 */
export async function patientResults(
  context: DirectoryContext,
  patientKey: string,
): Promise<ResultSummary[]> {
  const key = parseKeyArgument('patientKey', patientKey);
  const { Item } = await context.documents.send(
    new GetCommand({
      TableName: context.tables.patients,
      Key: { patientKey: key },
      ProjectionExpression: 'patientKey',
    }),
  );
  if (!Item) throw new OperatorError('not-found', 'no patient with the given patientKey');
  const { items } = await queryPages(context.documents, {
    TableName: context.tables.protocolResults,
    KeyConditionExpression: 'patientKey = :p',
    ExpressionAttributeValues: { ':p': key },
  });
  return items.map(resultSummary);
}
