import type { z } from 'zod';
import type { ComputeLog, PatientSource, UpdateQueue } from '../ports/compute';
import {
  changeMessageDetail,
  type ProtocolClass,
  type ProtocolSettings,
  readChangeMessage,
} from '../protocol';
import type { ComputeCounts } from './compute-counts';
import { computePatientUpdates } from './compute-patient-updates';
import { gatePatients, PendingResults, type ResultGating } from './result-gate';
import { changeOrigin } from './update-id';

/** Why a change event cannot be recomputed; retrying as-is does not help (except a race, below). */
export type ChangeRejectionReason =
  | 'invalid-change-event'
  | 'unknown-change-type'
  | 'unknown-patient'
  | 'invalid-patient-record';

export interface RecomputeOnChangeInput {
  /**
   * The event as received (the SQS body parsed as JSON), in either form of docs/queue-contract.md
   * (envelope or flat); validated here.
   */
  event: unknown;
  /** Stable across redeliveries (the SQS message id): seeds the update ids. */
  changeId: string;
  /**
   * The computation's `now` and the updates' `computed-at`. The kit's change events carry no time,
   * so the handler passes the time the change was enqueued (SQS `SentTimestamp`): like the update
   * ids, it is the same on every redelivery.
   */
  computedAt: Date;
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  log: ComputeLog;
  /** The deployment's protocol settings; default: none. */
  settings?: ProtocolSettings;
  /**
   * Results recorded and unchanged updates held back, as for a segment (`reassert`: the change
   * came from `recompute --patient --reassert`). Absent: every update is sent, nothing recorded.
   */
  results?: ResultGating;
}

export type ChangeOutcome =
  | {
      status: 'recomputed';
      patientKey: string;
      counts: ComputeCounts;
      /** The change types computed for, and the `field_changes` keys the kit does not document. */
      changeTypes: readonly string[];
      unknownFieldChangesKeys: number;
    }
  | {
      status: 'rejected';
      reason: ChangeRejectionReason;
      /** Safe to log: field paths and our schemas' messages, never values or unknown key names. */
      detail: string;
      /**
       * Only for a patient the store holds: then the key is an id. An unknown key is whatever a
       * producer typed (it may be a name), so it is not carried, and so never logged.
       */
      patientKey?: string;
    };

/** Detail for a body that is not JSON; the parser's own message would quote the body. */
export const CHANGE_BODY_NOT_JSON = 'the message body is not valid JSON';

/** A flat change event's schema problems, safe to log: `fields` is keyed by the platform's names. */
export function changeEventDetail(error: z.ZodError): string {
  return changeMessageDetail(error);
}

/**
 * Recomputes one patient for one change event. Every registered protocol is passed to the runner
 * with the change; the runner computes those whose `computeOnChangeTypes` include one of the
 * change's types (named by the message, else mapped from its model) and marks the others
 * `not_relevant` (no updates). An event whose change type cannot be determined computes nothing
 * (`unknown-change-type`). A rejected event is returned, not thrown,
 * so the handler can log and count it by reason before reporting it failed.
 */
export async function recomputeOnChange(input: RecomputeOnChangeInput): Promise<ChangeOutcome> {
  const read = readChangeMessage(input.event);
  if (!read.ok) return { status: 'rejected', reason: read.reason, detail: read.detail };
  const { change } = read;
  const patientKey = change.patientKey;
  const record = await input.patients.getPatient(patientKey);
  if (!record) {
    return { status: 'rejected', reason: 'unknown-patient', detail: 'no such patient' };
  }
  if (record.kind === 'invalid') {
    return {
      status: 'rejected',
      reason: 'invalid-patient-record',
      detail: record.problems,
      patientKey,
    };
  }
  const computed = computePatientUpdates({
    protocols: input.protocols,
    patient: record.patient,
    change,
    computedAt: input.computedAt,
    origin: changeOrigin(input.changeId),
    log: input.log,
    settings: input.settings,
  });
  const counts = computed.counts;
  const gated = await gatePatients([computed], input.results, input.computedAt, counts);
  await input.updates.enqueue(gated.send);
  // Only once SQS accepted them: a failure before leaves the old digest, and the redelivered
  // change sends again.
  const pending = new PendingResults(input.results?.store);
  pending.add(gated.pending);
  counts.resultsWritten += await pending.writeAll();
  return {
    status: 'recomputed',
    patientKey,
    counts,
    changeTypes: change.changeTypes,
    unknownFieldChangesKeys: read.unknownKeys,
  };
}
