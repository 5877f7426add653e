import { type ChangeEvent, encodeUpdateAttributes, type Patient } from '../../schemas';
import type { ComputeLog, QueuedUpdate } from '../ports/compute';
import {
  computeProtocols,
  type ProtocolClass,
  type ProtocolRun,
  type ProtocolSettings,
} from '../protocol';
import { type ComputeCounts, countRuns } from './compute-counts';
import { updateIdFor } from './update-id';

export interface ComputePatientUpdatesInput {
  protocols: readonly ProtocolClass[];
  patient: Patient;
  /** The triggering change; null for a scheduled recomputation. */
  change: ChangeEvent | null;
  /** The computation's instant; also every update's `computed-at`. */
  computedAt: Date;
  /** Seeds the update ids: `run:<runId>` or `change:<message id>` (see update-id.ts). */
  origin: string;
  log: ComputeLog;
  /** The deployment's protocol settings (`this.settings`); default: none. */
  settings?: ProtocolSettings;
}

export interface PatientUpdates {
  patientKey: string;
  runs: ProtocolRun[];
  /** Every run's updates, in run order. */
  updates: QueuedUpdate[];
  /** The same updates per run: `runUpdates[i]` are `runs[i]`'s. */
  runUpdates: QueuedUpdate[][];
  counts: ComputeCounts;
}

/**
 * Runs the protocols for one patient and turns their updates into queue messages. The runner has
 * already validated every update with `UpdateSchema` (a run with an invalid one fails whole), so
 * no second validation happens here. A failed run is logged by protocol, patient key and error
 * code (the runner's messages name fields, never values) and counted; the others still send.
 */
export function computePatientUpdates(input: ComputePatientUpdatesInput): PatientUpdates {
  const patientKey = input.patient.patient.key;
  const runs = computeProtocols({
    protocols: input.protocols,
    patient: input.patient,
    change: input.change,
    now: input.computedAt,
    settings: input.settings,
  });
  const computedAt = input.computedAt.toISOString();
  const updates: QueuedUpdate[] = [];
  const runUpdates: QueuedUpdate[][] = [];
  for (const run of runs) {
    if (run.status === 'failed') {
      input.log.warn('protocol run failed', {
        protocol: run.protocol,
        version: run.version,
        patientKey,
        errorCode: run.error?.code,
        error: run.error?.message,
      });
    }
    const own: QueuedUpdate[] = [];
    runUpdates.push(own);
    // A plain loop (no callback per run): this is the hot path of every computation.
    const { protocol } = run;
    for (let position = 0; position < run.updates.length; position += 1) {
      const update = run.updates[position] as (typeof run.updates)[number];
      const queued: QueuedUpdate = {
        type: update.integration_type,
        // JSON.stringify keeps the helpers' key order: the kit's wire JSON.
        body: JSON.stringify(update),
        attributes: encodeUpdateAttributes({
          updateId: updateIdFor({ origin: input.origin, protocol, patientKey, position }),
          computedAt,
          protocol,
        }),
      };
      own.push(queued);
      updates.push(queued);
    }
  }
  return { patientKey, runs, updates, runUpdates, counts: countRuns(runs) };
}
