import type { ComputeJob } from '../../schemas';
import type { ComputeJobQueue, ComputeLog, PatientSource, UpdateQueue } from '../ports/compute';
import type { ProtocolClass, ProtocolSettings } from '../protocol';
import { addCounts, type ComputeCounts, emptyCounts } from './compute-counts';
import { computePatientUpdates, type PatientUpdates } from './compute-patient-updates';
import { gatePatients, PendingResults, type ResultGating } from './result-gate';
import { UpdateBatchCarry } from './update-batch-carry';
import { runOrigin } from './update-id';

/** How a segment job spends its invocation. See docs/scaling.md. */
export interface SegmentBudget {
  /** Patients read per Scan page; the time budget is checked between pages. */
  pageSize: number;
  /**
   * Time kept back for flushing the held updates (at most one batch per type), enqueueing the
   * continuation job and returning. Another page is started only while the remaining time
   * exceeds this plus twice the slowest page seen so far.
   */
  reserveMs: number;
}

export const DEFAULT_SEGMENT_BUDGET: SegmentBudget = { pageSize: 100, reserveMs: 30_000 };

export interface RecomputeSegmentInput {
  job: ComputeJob;
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  jobs: ComputeJobQueue;
  /** The invocation's remaining time (Lambda's `context.getRemainingTimeInMillis`). */
  remainingTimeMs: () => number;
  budget: SegmentBudget;
  log: ComputeLog;
  /** Clock for page timing; injectable for tests. */
  nowMs?: () => number;
  /** The deployment's protocol settings; default: none. */
  settings?: ProtocolSettings;
  /**
   * The protocol results store and the re-assertion period: results are recorded and unchanged
   * updates held back (the job's `reassert` forces the send). Absent: every update is sent and
   * nothing is recorded.
   */
  results?: Omit<ResultGating, 'reassert'>;
}

export interface SegmentOutcome {
  counts: ComputeCounts;
  pages: number;
  /** Set when the time budget ran short: the job enqueued to finish the segment. */
  continuation?: ComputeJob;
}

/**
 * Recomputes every patient of one Scan segment, page by page. After each page the whole
 * `SendMessageBatch` batches of its updates are enqueued; each type's trailing partial batch is
 * carried into the next page (`UpdateBatchCarry`), so a segment sends at most one partial batch
 * per type instead of one per page and type. When the remaining time gets short, the carry is
 * flushed, then a continuation job carrying the Scan's `LastEvaluatedKey` is enqueued and the job
 * ends, so a segment larger than planned is finished by further jobs and no patient is skipped.
 *
 * Holding up to a batch per type in memory loses nothing: the job's message is deleted only when
 * the job returns, and the carry is flushed before the continuation and before returning. A crash
 * or any enqueue failure before that fails the job: SQS redelivers it, and it recomputes from its
 * own start key, so the updates never sent are computed and sent again. The updates that were
 * sent are sent again with the same update ids (same run, protocol, patient, position), and the
 * appliers apply an update id once.
 */
export async function recomputeSegment(input: RecomputeSegmentInput): Promise<SegmentOutcome> {
  const { job, budget, log } = input;
  const nowMs = input.nowMs ?? Date.now;
  const computedAt = new Date(job.computedAt);
  const origin = runOrigin(job.runId);
  const counts = emptyCounts();
  const carry = new UpdateBatchCarry(input.updates);
  const gating: ResultGating | undefined = input.results && {
    store: input.results.store,
    reassertAfterMs: input.results.reassertAfterMs,
    reassert: job.reassert === true,
  };
  const pendingResults = new PendingResults(gating?.store);
  let startKey = job.startKey;
  let pages = 0;
  let slowestPageMs = 0;

  for (;;) {
    const pageStarted = nowMs();
    const page = await input.patients.readSegmentPage({
      segment: job.segment,
      totalSegments: job.totalSegments,
      startKey,
      limit: budget.pageSize,
    });
    const pageCounts = emptyCounts();
    const computedPage: PatientUpdates[] = [];
    for (const record of page.records) {
      if (record.kind === 'invalid') {
        counts.invalidPatients += 1;
        log.warn('invalid patient record skipped', {
          patientKey: record.patientKey,
          problems: record.problems,
        });
        continue;
      }
      const computed = computePatientUpdates({
        protocols: input.protocols,
        patient: record.patient,
        change: null,
        computedAt,
        origin,
        log,
        settings: input.settings,
      });
      addCounts(pageCounts, computed.counts);
      computedPage.push(computed);
    }
    // One read of the page's stored results; the results are written once their updates are
    // accepted by SQS (those still held by the carry wait for the flush).
    const gated = await gatePatients(computedPage, gating, computedAt, pageCounts);
    await carry.add(gated.send);
    pendingResults.add(gated.pending);
    pageCounts.resultsWritten += await pendingResults.writeSent(carry.held);
    addCounts(counts, pageCounts);
    pages += 1;
    slowestPageMs = Math.max(slowestPageMs, nowMs() - pageStarted);

    startKey = page.lastKey;
    if (!startKey) {
      await carry.flush();
      counts.resultsWritten += await pendingResults.writeAll();
      return { counts, pages };
    }

    if (input.remainingTimeMs() <= budget.reserveMs + 2 * slowestPageMs) {
      const continuation: ComputeJob = {
        ...job,
        startKey,
        continuation: (job.continuation ?? 0) + 1,
      };
      // The continuation starts after this job's last page: this job's updates must all be on
      // their queues first. (A flush failing throws before the continuation exists, so the
      // redelivered job does not make a second one.)
      await carry.flush();
      counts.resultsWritten += await pendingResults.writeAll();
      await input.jobs.enqueue([continuation]);
      return { counts, pages, continuation };
    }
  }
}
