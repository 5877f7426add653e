import { randomUUID } from 'node:crypto';
import {
  type ChangeType,
  ChangeTypeSchema,
  type FlatChangeEvent,
  FlatChangeEventSchema,
} from '../../schemas';
import {
  type ComputeJobQueue,
  type PatientCounter,
  planRecomputation,
  REASSERT_CHANGE_ATTRIBUTE,
  type SegmentPolicy,
} from '../compute';
import type { QueueAdmin } from '../ports/dead-letter-admin';
import type { PatientRecords } from '../ports/operator-directory';
import { parseKeyArgument } from './arguments';
import { OperatorError } from './operator-error';

/** The change type `recompute --patient` announces by default: the patient record itself. */
export const DEFAULT_RECOMPUTE_CHANGE_TYPE: ChangeType = 'patient';

export interface PatientRecomputeDeps {
  /** The patients table: the key must be there (the change would be dead-lettered otherwise). */
  patients: PatientRecords;
  queues: Pick<QueueAdmin, 'send'>;
  /** The queue the deployed computeOnChange reads (`CHANGES_QUEUE_URL`). */
  changesQueueUrl: string;
}

export interface PatientRecomputeResult {
  changeType: ChangeType;
  /** Every update sent, even those equal to the last ones sent. */
  reassert: boolean;
  /** The change event's SQS message id: it seeds the update ids of this recomputation. */
  messageId: string;
}

/**
 * Recomputes one patient through the deployed functions: a change event (`<changeType>`, not
 * created, not deleted, no fields) on the changes queue. computeOnChange then runs every protocol
 * whose `computeOnChangeTypes` include that type (or that declare none), with the deployed
 * protocol code, and enqueues their updates like any change would.
 */
export async function recomputePatientNow(
  deps: PatientRecomputeDeps,
  input: { patientKey: string; changeType?: string; reassert?: boolean },
): Promise<PatientRecomputeResult> {
  const patientKey = parseKeyArgument('--patient', input.patientKey);
  const typed = ChangeTypeSchema.safeParse(input.changeType ?? DEFAULT_RECOMPUTE_CHANGE_TYPE);
  if (!typed.success)
    throw new OperatorError('invalid-argument', `--change-type: ${typed.error.issues[0]?.message}`);
  if (!(await deps.patients.exists(patientKey)))
    throw new OperatorError('not-found', 'no patient with the given patientKey');
  // The flat form: the change type's own model, which the model mapping maps to that type.
  const change: FlatChangeEvent = FlatChangeEventSchema.parse({
    patient_key: patientKey,
    model_name: typed.data,
    created: false,
    deleted: false,
    fields: {},
    canvas_id: null,
    external_id: null,
  });
  const reassert = input.reassert === true;
  const messageId = await deps.queues.send(deps.changesQueueUrl, {
    body: JSON.stringify(change),
    // The attribute computeOnChange reads; the body stays the kit's change event.
    attributes: reassert
      ? { [REASSERT_CHANGE_ATTRIBUTE]: { dataType: 'String', stringValue: 'true' } }
      : {},
  });
  return { changeType: typed.data, reassert, messageId };
}

export interface AllRecomputeDeps {
  counter: PatientCounter;
  jobs: ComputeJobQueue;
  policy: SegmentPolicy;
}

export interface AllRecomputeResult {
  runId: string;
  computedAt: string;
  /** Every update sent, even those equal to the last ones sent (the jobs carry `reassert`). */
  reassert: boolean;
  approximatePatients: number;
  totalSegments: number;
}

/**
 * Recomputes every protocol for every patient now: the planner's own logic (the scheduled
 * planRecomputation function runs the same `planRecomputation`), so the segment jobs go to the
 * compute jobs queue and the deployed computeSegment functions do the work. The run id is
 * `operator-<uuid>`, telling these updates from the schedule's.
 */
export async function recomputeAllNow(
  deps: AllRecomputeDeps,
  now: Date = new Date(),
  runId = `operator-${randomUUID()}`,
  options: { reassert?: boolean } = {},
): Promise<AllRecomputeResult> {
  const reassert = options.reassert === true;
  const plan = await planRecomputation({
    run: { runId, computedAt: now, reassert },
    counter: deps.counter,
    jobs: deps.jobs,
    policy: deps.policy,
  });
  return { runId, computedAt: now.toISOString(), reassert, ...plan };
}
