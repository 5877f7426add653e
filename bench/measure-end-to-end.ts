import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OfflineStack } from '../local/offline-stack';
import { acknowledgedByType, readBatchReports, waitUntilDrained } from '../local/run-metrics';
import { DIABETES_CARE_GROUP_ID } from '../protocols/diabetes-care-group';
import { seedMemberships } from './seed-memberships';
import { benchPatientKey, hasBenchDiabetes } from './synthetic-patients';

export interface EndToEndFigures {
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  messages: number;
  /** The warm-up run (the same work, before measuring). */
  warmUp: { messagesPerSecond: number; messages: number };
}

export interface EndToEndOptions {
  patients: number;
  timeoutMs: number;
  onProgress(message: string): void;
}

interface RunFigures {
  messagesPerSecond: number;
  latencies: number[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/**
 * Scheduled recomputations through the local stack: the planner invoked on serverless-offline,
 * the segment job, SQS, the group applier (our SQS event source), DynamoDB Local. The memberships
 * exist beforehand, so both runs are the appliers' steady state; the first is the warm-up. Both
 * are forced (`reassert`): every update goes through, though the last ones sent were the same. A
 * membership written by a run carries the run's `computed-at` as `version` and the write's time as
 * `updatedAt`, so each update's latency is `updatedAt - computed-at`.
 */
export async function measureEndToEnd(
  stack: OfflineStack,
  options: EndToEndOptions,
): Promise<EndToEndFigures> {
  options.onProgress('seeding the diabetes care group memberships');
  // In the state the protocol computes, so both runs are the steady state (see seed-memberships).
  const seededAt = Date.now() - 60_000;
  await seedMemberships(
    stack.documents,
    String(stack.resources.tables.MembershipsTable),
    Array.from({ length: options.patients }, (_, i) => ({
      groupId: DIABETES_CARE_GROUP_ID,
      patientKey: benchPatientKey(i + 1),
      active: hasBenchDiabetes(i + 1),
    })),
    { version: seededAt, updateId: 'bench-e2e-seed', at: new Date(seededAt).toISOString() },
  );
  options.onProgress('warm-up run');
  const warmUp = await recomputation(stack, options, 'warm-up');
  options.onProgress('measured run');
  const measured = await recomputation(stack, options, 'measured');
  const sorted = [...measured.latencies].sort((a, b) => a - b);
  return {
    messagesPerSecond: measured.messagesPerSecond,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    messages: sorted.length,
    warmUp: { messagesPerSecond: warmUp.messagesPerSecond, messages: warmUp.latencies.length },
  };
}

async function recomputation(
  stack: OfflineStack,
  options: EndToEndOptions,
  label: string,
): Promise<RunFigures> {
  const appliedSoFar = () =>
    acknowledgedByType(readBatchReports(stack.reportFile), stack.resources).Group;
  const before = appliedSoFar();
  // The run's `computed-at`: every update of a scheduled run carries the schedule event's time.
  const computedAt = new Date();
  await stack.invoke('planRecomputation', {
    id: `bench-${label}-${computedAt.getTime()}`,
    source: 'aws.events',
    'detail-type': 'Scheduled Event',
    time: computedAt.toISOString(),
    // Every update sent (`recompute --all --reassert`): this measures the whole path's throughput,
    // and an unforced run after the first would send nothing (the steady-state figure measures
    // that one).
    reassert: true,
  });
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const applied = appliedSoFar() - before;
    options.onProgress(`${label}: ${applied}/${options.patients} updates applied`);
    if (applied >= options.patients) break;
    if (Date.now() > deadline)
      throw new Error(
        `${label}: ${applied} of ${options.patients} updates applied before the timeout`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  await waitUntilDrained(stack.sqs, stack.resources, {
    intervalMs: 250,
    stableChecks: 2,
    timeoutMs: options.timeoutMs,
  });

  const version = computedAt.getTime();
  const latencies: number[] = [];
  let lastApplied = version;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.documents.send(
      new QueryCommand({
        TableName: stack.resources.tables.MembershipsTable,
        KeyConditionExpression: 'groupId = :g',
        ExpressionAttributeValues: { ':g': DIABETES_CARE_GROUP_ID },
        // `version` is a DynamoDB reserved word.
        ProjectionExpression: '#version, updatedAt',
        ExpressionAttributeNames: { '#version': 'version' },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.version !== version) continue;
      const appliedAt = Date.parse(String(item.updatedAt));
      latencies.push(appliedAt - version);
      lastApplied = Math.max(lastApplied, appliedAt);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  if (latencies.length !== options.patients)
    throw new Error(
      `${label}: ${latencies.length} memberships carry the run's version, expected ${options.patients}`,
    );
  return {
    messagesPerSecond: latencies.length / (Math.max(1, lastApplied - version) / 1000),
    latencies,
  };
}
