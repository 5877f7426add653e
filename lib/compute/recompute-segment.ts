import type { ComputeJob } from '../../schemas';
import type { ProtocolClass, ProtocolSettings } from '../protocol';
import { addCounts, type ComputeCounts, emptyCounts } from './compute-counts';
import { computePatientUpdates } from './compute-patient-updates';
import type {
  ComputeJobQueue,
  ComputeLog,
  PatientSource,
  QueuedUpdate,
  UpdateQueue,
} from './ports';
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
    const pageUpdates: QueuedUpdate[] = [];
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
      addCounts(counts, computed.counts);
      pageUpdates.push(...computed.updates);
    }
    await carry.add(pageUpdates);
    pages += 1;
    slowestPageMs = Math.max(slowestPageMs, nowMs() - pageStarted);

    startKey = page.lastKey;
    if (!startKey) {
      await carry.flush();
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
      await input.jobs.enqueue([continuation]);
      return { counts, pages, continuation };
    }
  }
}
