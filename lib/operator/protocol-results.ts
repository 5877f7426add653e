import type {
  OperatorDirectory,
  ProtocolResultRecords,
  ResultSummary,
} from '../ports/operator-directory';
import { parseKeyArgument } from './arguments';
import { OperatorError } from './operator-error';
import { readPages } from './paginate';

export type { ResultSummary } from '../ports/operator-directory';

function parseStatusArgument(records: ProtocolResultRecords, value: string): string {
  const status = value.trim().toLowerCase();
  if (records.unindexedStatuses.includes(status))
    throw new OperatorError(
      'invalid-argument',
      `--status: ${status} results are not indexed (most of any population; the index is sparse): list a patient's results with \`patients results <patientKey>\``,
    );
  if (!records.indexedStatuses.includes(status))
    throw new OperatorError(
      'invalid-argument',
      `--status: must be one of ${records.indexedStatuses.join(', ')}`,
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
 * A protocol's population by status: the store's readers of each status asked for (DynamoDB: the
 * sparse index `byProtocolStatus`, one partition per shard), merged; within a status, in
 * patient-key order. Its cost follows the population with that status, never the whole table.
 * An unindexed status (`not_applicable`) is refused with the reason.
 */
export async function protocolResults(
  directory: OperatorDirectory,
  query: ProtocolResultsQuery,
): Promise<ProtocolResultsPage> {
  const records = directory.protocolResults;
  const protocol = parseKeyArgument('protocol', query.protocol);
  const statuses =
    query.status === undefined
      ? records.indexedStatuses
      : [parseStatusArgument(records, query.status)];
  let remaining = query.limit ?? Number.POSITIVE_INFINITY;
  const results: ResultSummary[] = [];
  for (const status of statuses) {
    if (remaining <= 0) return { results, truncated: true };
    const limit = Number.isFinite(remaining) ? remaining : undefined;
    const partitions = await Promise.all(
      records.withStatus(protocol, status).map((read) => readPages(read, { limit })),
    );
    const found = partitions
      .flatMap((page) => page.items)
      .sort((a, b) => (a.patientKey < b.patientKey ? -1 : a.patientKey > b.patientKey ? 1 : 0));
    const kept = found.slice(0, limit);
    results.push(...kept);
    remaining -= kept.length;
    if (kept.length < found.length || partitions.some((page) => page.truncated))
      return { results, truncated: true };
  }
  return { results, truncated: false };
}

/**
 * Every recorded result of one patient, one per protocol, in protocol-key order. Unknown patient:
 * not-found (an existence check that reads no patient data).
 */
export async function patientResults(
  directory: OperatorDirectory,
  patientKey: string,
): Promise<ResultSummary[]> {
  const key = parseKeyArgument('patientKey', patientKey);
  if (!(await directory.patients.exists(key)))
    throw new OperatorError('not-found', 'no patient with the given patientKey');
  return (await readPages(directory.protocolResults.ofPatient(key))).items;
}
