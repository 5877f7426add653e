import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
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
import { parseKeyArgument } from './arguments';
import { OperatorError } from './operator-error';

/** The change type `recompute --patient` announces by default: the patient record itself. */
export const DEFAULT_RECOMPUTE_CHANGE_TYPE: ChangeType = 'patient';

export interface PatientRecomputeDeps {
  /** Whether the patients table holds the key (the change would be dead-lettered otherwise). */
  patientExists(patientKey: string): Promise<boolean>;
  /**
   * Puts one body on the changes queue, with `reassert` as the message attribute computeOnChange
   * reads (`recompute --patient --reassert`); resolves to the SQS message id.
   */
  sendChange(body: string, options?: { reassert?: boolean }): Promise<string>;
}

/** The deps over DynamoDB (existence: a projected GetItem, no patient data read) and SQS. */
export function awsPatientRecomputeDeps(input: {
  documents: DynamoDBDocumentClient;
  patientsTable: string;
  sqs: SQSClient;
  changesQueueUrl: string;
}): PatientRecomputeDeps {
  return {
    async patientExists(patientKey) {
      const { Item } = await input.documents.send(
        new GetCommand({
          TableName: input.patientsTable,
          Key: { patientKey },
          ProjectionExpression: 'patientKey',
        }),
      );
      return Item !== undefined;
    },
    async sendChange(body, options = {}) {
      const { MessageId } = await input.sqs.send(
        new SendMessageCommand({
          QueueUrl: input.changesQueueUrl,
          MessageBody: body,
          ...(options.reassert === true
            ? {
                MessageAttributes: {
                  [REASSERT_CHANGE_ATTRIBUTE]: { DataType: 'String', StringValue: 'true' },
                },
              }
            : {}),
        }),
      );
      return String(MessageId);
    },
  };
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
  if (!(await deps.patientExists(patientKey)))
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
  const messageId = await deps.sendChange(
    JSON.stringify(change),
    reassert ? { reassert: true } : undefined,
  );
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
