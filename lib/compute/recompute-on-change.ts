import { ChangeEventSchema } from '../../schemas';
import type { ProtocolClass } from '../protocol';
import { describeProblems, problemsFromZod } from '../validation-error';
import type { ComputeCounts } from './compute-counts';
import { computePatientUpdates } from './compute-patient-updates';
import type { ComputeLog, PatientSource, UpdateQueue } from './ports';
import { changeOrigin } from './update-id';

/** Why a change event cannot be recomputed; retrying as-is does not help (except a race, below). */
export type ChangeRejectionReason =
  | 'invalid-change-event'
  | 'unknown-patient'
  | 'invalid-patient-record';

export interface RecomputeOnChangeInput {
  /** The event as received (the SQS body parsed as JSON); validated here. */
  event: unknown;
  /** Stable across redeliveries (the SQS message id): seeds the update ids. */
  changeId: string;
  /**
   * The change's time when the event carries one, else the processing time: the computation's
   * `now` and the updates' `computed-at`. The kit's change events carry no time today.
   */
  computedAt: Date;
  protocols: readonly ProtocolClass[];
  patients: PatientSource;
  updates: UpdateQueue;
  log: ComputeLog;
}

export type ChangeOutcome =
  | { status: 'recomputed'; patientKey: string; counts: ComputeCounts }
  | {
      status: 'rejected';
      reason: ChangeRejectionReason;
      /** Safe to log: field names, schema messages, the patient key. */
      detail: string;
      patientKey?: string;
    };

/**
 * Recomputes one patient for one change event. Every registered protocol is passed to the runner
 * with the change; the runner computes those whose `computeOnChangeTypes` include the change's
 * type and marks the others `not_relevant` (no updates). A rejected event is returned, not thrown,
 * so the handler can log and count it by reason before reporting it failed.
 */
export async function recomputeOnChange(input: RecomputeOnChangeInput): Promise<ChangeOutcome> {
  const parsed = ChangeEventSchema.safeParse(input.event);
  if (!parsed.success) {
    return {
      status: 'rejected',
      reason: 'invalid-change-event',
      detail: describeProblems(problemsFromZod(parsed.error)),
    };
  }
  const change = parsed.data;
  const patientKey = change.patient_key;
  const record = await input.patients.getPatient(patientKey);
  if (!record) {
    return { status: 'rejected', reason: 'unknown-patient', detail: 'no such patient', patientKey };
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
  });
  await input.updates.enqueue(computed.updates);
  return { status: 'recomputed', patientKey, counts: computed.counts };
}
