import type { ProtocolResultStore, QueuedUpdate } from '../ports/compute';
import type { ComputeCounts } from './compute-counts';
import type { PatientUpdates } from './compute-patient-updates';
import { gateRun, type RecordedResult, type ResultKey, resultKeyId } from './protocol-results';

/** How a computation records its results and holds back unchanged updates. */
export interface ResultGating {
  store: ProtocolResultStore;
  /** Unchanged updates are sent again once this long has passed (`reassertAfter`). */
  reassertAfterMs: number;
  /** Send everything whatever was sent before (`recompute --reassert`). */
  reassert: boolean;
}

/** A result to write once its updates are on their queues. */
export interface PendingResult {
  record: RecordedResult;
  updates: readonly QueuedUpdate[];
}

export interface GatedPatients {
  /** What to enqueue, in computation order. */
  send: QueuedUpdate[];
  pending: PendingResult[];
}

/**
 * Reads the stored results of these patients' computed runs (one `getMany`, so BatchGetItem per
 * page) and decides each run (`gateRun`). `counts` (the patients' summed counts) is corrected:
 * `updates` become those enqueued, `unchangedUpdates` those held back. Without `gating` everything
 * is sent and nothing recorded.
 */
export async function gatePatients(
  computed: readonly PatientUpdates[],
  gating: ResultGating | undefined,
  computedAt: Date,
  counts: ComputeCounts,
): Promise<GatedPatients> {
  if (!gating) return { send: computed.flatMap((c) => c.updates), pending: [] };
  const keys: ResultKey[] = [];
  for (const patient of computed)
    for (const run of patient.runs)
      if (run.status === 'computed')
        keys.push({ patientKey: patient.patientKey, protocol: run.protocol });
  const stored = keys.length === 0 ? new Map() : await gating.store.getMany(keys);
  const send: QueuedUpdate[] = [];
  const pending: PendingResult[] = [];
  for (const patient of computed) {
    patient.runs.forEach((run, i) => {
      const updates = patient.runUpdates[i] ?? [];
      const gated = gateRun(
        patient.patientKey,
        run,
        updates,
        stored.get(resultKeyId({ patientKey: patient.patientKey, protocol: run.protocol })),
        { computedAt, reassertAfterMs: gating.reassertAfterMs, reassert: gating.reassert },
      );
      send.push(...gated.send);
      if (gated.skipped > 0) {
        counts.unchangedUpdates += gated.skipped;
        for (const update of updates) counts.updates[update.type] -= 1;
      }
      if (gated.record) pending.push({ record: gated.record, updates: gated.send });
    });
  }
  return { send, pending };
}

/**
 * Results waiting for their updates to be accepted by SQS. The digest of what was sent is
 * recorded only after the send succeeded: a crash in between leaves the old digest, so the next
 * computation sends again rather than skip.
 */
export class PendingResults {
  #pending: PendingResult[] = [];

  constructor(private readonly store: ProtocolResultStore | undefined) {}

  add(results: readonly PendingResult[]): void {
    this.#pending.push(...results);
  }

  /**
   * Writes the results none of whose updates `held` still holds (all enqueued); keeps the others.
   * Resolves to how many were written.
   */
  async writeSent(held: ReadonlySet<QueuedUpdate>): Promise<number> {
    const ready: PendingResult[] = [];
    const waiting: PendingResult[] = [];
    for (const result of this.#pending)
      (result.updates.some((u) => held.has(u)) ? waiting : ready).push(result);
    this.#pending = waiting;
    return this.#write(ready);
  }

  /** Writes every result (call once every update is enqueued). */
  async writeAll(): Promise<number> {
    const all = this.#pending;
    this.#pending = [];
    return this.#write(all);
  }

  async #write(results: readonly PendingResult[]): Promise<number> {
    if (!this.store || results.length === 0) return 0;
    return this.store.putMany(results.map((r) => r.record));
  }
}
