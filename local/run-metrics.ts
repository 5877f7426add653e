import { readFileSync } from 'node:fs';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { COMPUTE_SUMMARY_MESSAGES } from '../lib/aws/compute-telemetry';
import { MESSAGE_TYPES, TABLES, UPDATE_TYPES, type UpdateType } from '../lib/message-types';
import type { BatchOutcome } from './offline-sqs-event-source/queue-poller';
import type { ProvisionedResources } from './provision';

// The message types are the registry's: a new type shows up in every local summary.
export { UPDATE_TYPES, type UpdateType };
export type ByType = Record<UpdateType, number>;

/** The queue and DLQ of each message type (logical ids, from the registry). */
export const UPDATE_QUEUES = Object.fromEntries(
  MESSAGE_TYPES.map((entry) => [
    entry.wireName,
    { queue: entry.queue.logicalId, deadLetterQueue: entry.queue.deadLetterLogicalId },
  ]),
) as Readonly<Record<UpdateType, { queue: string; deadLetterQueue: string }>>;

/** The DLQ reason of a message SQS itself moved there (a record that kept failing). */
export const REDRIVE_REASON = 'max-receive-count-exceeded';

export const zeroByType = (): ByType =>
  Object.fromEntries(UPDATE_TYPES.map((type) => [type, 0])) as ByType;

/** What the compute functions reported (their structured log lines), summed. */
export interface ComputeTotals {
  patients: number;
  protocolRuns: number;
  /** Updates enqueued. */
  updates: ByType;
  /** Updates computed but held back: the same as the last ones sent (docs/scaling.md). */
  unchangedUpdates: number;
}

const COMPUTE_MESSAGES = new Set<string>([
  COMPUTE_SUMMARY_MESSAGES.segmentComputed,
  COMPUTE_SUMMARY_MESSAGES.changeRecomputed,
]);

/**
 * The counts of a compute function's summary log line (`segment job computed`, `change
 * recomputed`: Powertools JSON), or undefined for any other line.
 */
export function computeCountsOfLine(line: string): ComputeTotals | undefined {
  const start = line.indexOf('{');
  if (start < 0 || !line.includes('"counts"')) return undefined;
  let entry: { message?: unknown; counts?: Partial<ComputeTotals> };
  try {
    entry = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  if (!COMPUTE_MESSAGES.has(String(entry.message)) || !entry.counts) return undefined;
  const counts = entry.counts;
  return {
    patients: Number(counts.patients ?? 0),
    protocolRuns: Number(counts.protocolRuns ?? 0),
    updates: Object.fromEntries(
      UPDATE_TYPES.map((type) => [type, Number(counts.updates?.[type] ?? 0)]),
    ) as ByType,
    unchangedUpdates: Number(counts.unchangedUpdates ?? 0),
  };
}

export function addComputeTotals(into: ComputeTotals, more: ComputeTotals): ComputeTotals {
  into.patients += more.patients;
  into.protocolRuns += more.protocolRuns;
  for (const type of UPDATE_TYPES) into.updates[type] += more.updates[type];
  into.unchangedUpdates += more.unchangedUpdates;
  return into;
}

export const emptyComputeTotals = (): ComputeTotals => ({
  patients: 0,
  protocolRuns: 0,
  updates: zeroByType(),
  unchangedUpdates: 0,
});

/** The local SQS event source's batch reports so far. */
export function readBatchReports(reportFile: string): BatchOutcome[] {
  let text: string;
  try {
    text = readFileSync(reportFile, 'utf8');
  } catch {
    return [];
  }
  // The event source appends while we read: only lines ended by a newline are complete.
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BatchOutcome);
}

/** Records the event source deleted after the function succeeded, per message type. */
export function acknowledgedByType(
  reports: readonly BatchOutcome[],
  resources: ProvisionedResources,
): ByType {
  const counts = zeroByType();
  for (const type of UPDATE_TYPES) {
    const name = resources.queues[UPDATE_QUEUES[type].queue]?.name;
    for (const report of reports) if (report.queueName === name) counts[type] += report.deleted;
  }
  return counts;
}

/** Messages in a queue: visible, in flight and delayed. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** The work queues (those with a redrive policy, i.e. not DLQs), by logical id. */
export function workQueues(resources: ProvisionedResources): { logicalId: string; url: string }[] {
  const deadLetterUrls = new Set(
    Object.entries(resources.queues)
      .filter(([logicalId]) => logicalId.endsWith('DeadLetterQueue'))
      .map(([, queue]) => queue.url),
  );
  return Object.entries(resources.queues)
    .filter(([, queue]) => !deadLetterUrls.has(queue.url))
    .map(([logicalId, queue]) => ({ logicalId, url: queue.url }));
}

export function deadLetterQueues(
  resources: ProvisionedResources,
): { logicalId: string; url: string }[] {
  return Object.entries(resources.queues)
    .filter(([logicalId]) => logicalId.endsWith('DeadLetterQueue'))
    .map(([logicalId, queue]) => ({ logicalId, url: queue.url }));
}

/**
 * Resolves once every work queue is empty (nothing visible, in flight or delayed) on
 * `stableChecks` consecutive checks: a redelivered or redriven message shows up between checks.
 */
export async function waitUntilDrained(
  sqs: SQSClient,
  resources: ProvisionedResources,
  options: { intervalMs?: number; stableChecks?: number; timeoutMs?: number } = {},
): Promise<void> {
  const intervalMs = options.intervalMs ?? 500;
  const stableChecks = options.stableChecks ?? 4;
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const queues = workQueues(resources);
  let empty = 0;
  while (empty < stableChecks) {
    if (Date.now() > deadline) {
      const depths = await Promise.all(
        queues.map(async (q) => `${q.logicalId}=${await queueDepth(sqs, q.url)}`),
      );
      throw new Error(`the queues did not drain in time (${depths.join(', ')})`);
    }
    const depths = await Promise.all(queues.map((q) => queueDepth(sqs, q.url)));
    empty = depths.every((d) => d === 0) ? empty + 1 : 0;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface DeadLetterSummary {
  total: number;
  /** By `rejection-reason` (an applier's rejection), or REDRIVE_REASON (SQS's redrive). */
  reasons: Record<string, number>;
  /** Messages the applier itself dead-lettered (they carry `rejection-reason`). */
  rejectedByApplier: number;
}

/**
 * Reads every message of a DLQ (receiving hides them for a while; nothing is deleted) and counts
 * them by reason. `seen` (message id to reason) carries what earlier reads found.
 */
export async function readDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  options: { visibilityTimeoutSeconds?: number; seen?: Map<string, string> } = {},
): Promise<DeadLetterSummary> {
  const seen = options.seen ?? new Map<string, string>();
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 600,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = (Messages ?? []).filter((m) => !seen.has(String(m.MessageId)));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      const reason = message.MessageAttributes?.['rejection-reason']?.StringValue;
      seen.set(String(message.MessageId), reason ?? REDRIVE_REASON);
    }
  }
  const reasons: Record<string, number> = {};
  let rejectedByApplier = 0;
  for (const reason of seen.values()) {
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    if (reason !== REDRIVE_REASON) rejectedByApplier += 1;
  }
  return { total: seen.size, reasons, rejectedByApplier };
}

async function scanAll(
  documents: DynamoDBDocumentClient,
  table: string,
  projection?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: table,
        ExclusiveStartKey: startKey,
        ...(projection
          ? { ProjectionExpression: '#p', ExpressionAttributeNames: { '#p': projection } }
          : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export interface TableCounts {
  memberships: { active: number; inactive: number };
  tasks: number;
  labels: number;
  taskComments: number;
}

export async function countTables(
  documents: DynamoDBDocumentClient,
  resources: ProvisionedResources,
): Promise<TableCounts> {
  const table = (key: keyof typeof TABLES) => {
    const { logicalId } = TABLES[key];
    const name = resources.tables[logicalId];
    if (!name) throw new Error(`serverless.yml declares no ${logicalId}`);
    return name;
  };
  const memberships = await scanAll(documents, table('memberships'), 'active');
  const active = memberships.filter((item) => item.active === true).length;
  return {
    memberships: { active, inactive: memberships.length - active },
    tasks: (await scanAll(documents, table('tasks'), 'taskId')).length,
    labels: (await scanAll(documents, table('labels'), 'nameKey')).length,
    taskComments: (await scanAll(documents, table('taskComments'), 'commentId')).length,
  };
}
