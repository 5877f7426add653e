import { UPDATE_TYPES, type UpdateType } from '../message-types';
import type { ProtocolRun } from '../protocol';

/** What a computation did, by outcome: the numbers logged and sent as metrics. */
export interface ComputeCounts {
  /** Patients computed (valid records). */
  patients: number;
  /** Records the patient schema refused; skipped, logged by key. */
  invalidPatients: number;
  protocolRuns: number;
  computed: number;
  notRelevant: number;
  failed: number;
  /** Updates enqueued, by message type. */
  updates: Record<UpdateType, number>;
  /** Updates computed but not enqueued: the same as the last ones sent (docs/scaling.md). */
  unchangedUpdates: number;
  /** Protocol results written (the others were unchanged). */
  resultsWritten: number;
}

export function emptyCounts(): ComputeCounts {
  return {
    patients: 0,
    invalidPatients: 0,
    protocolRuns: 0,
    computed: 0,
    notRelevant: 0,
    failed: 0,
    unchangedUpdates: 0,
    resultsWritten: 0,
    updates: Object.fromEntries(UPDATE_TYPES.map((type) => [type, 0])) as Record<
      UpdateType,
      number
    >,
  };
}

/** Adds `more` into `into` (mutates `into`, returns it). */
export function addCounts(into: ComputeCounts, more: ComputeCounts): ComputeCounts {
  into.patients += more.patients;
  into.invalidPatients += more.invalidPatients;
  into.protocolRuns += more.protocolRuns;
  into.computed += more.computed;
  into.notRelevant += more.notRelevant;
  into.failed += more.failed;
  into.unchangedUpdates += more.unchangedUpdates;
  into.resultsWritten += more.resultsWritten;
  for (const type of UPDATE_TYPES) into.updates[type] += more.updates[type];
  return into;
}

/** Counts one patient's runs and their updates. */
export function countRuns(runs: readonly ProtocolRun[]): ComputeCounts {
  const counts = emptyCounts();
  counts.patients = 1;
  for (const run of runs) {
    counts.protocolRuns += 1;
    if (run.status === 'computed') counts.computed += 1;
    else if (run.status === 'not_relevant') counts.notRelevant += 1;
    else counts.failed += 1;
    for (const update of run.updates) counts.updates[update.integration_type] += 1;
  }
  return counts;
}

export function totalUpdates(counts: ComputeCounts): number {
  return UPDATE_TYPES.reduce((sum, type) => sum + counts.updates[type], 0);
}
