import '../support/quiet-sdk-warning';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import { powertoolsComputeRecorder } from '../../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue, SqsUpdateQueue } from '../../lib/aws/sqs-update-queue';
import {
  createComputeOnChangeHandler,
  createComputeSegmentHandler,
  type UpdateQueue,
} from '../../lib/compute';
import { Protocol, type ProtocolMeta, ProtocolResult } from '../../lib/protocol';
import { createTaskPayload, ensurePatientInGroup } from '../../lib/update-helpers';
import { PROTOCOLS } from '../../protocols';
import type { Update } from '../../schemas';
import type { TestStack } from '../support/local-stack';
import {
  captureOutput,
  consume,
  type Outgoing,
  sendAll,
  stringAttributes,
} from '../support/reliability';
import { seedGroup } from '../support/seed';
import { type QueueRef, takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue, updateQueueUrls } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';

// A patient whose name and a task title are unique canary strings; every log line the real
// handlers write while applying and rejecting updates that carry them is captured, and none may
// contain them. Nor may a DLQ message's rejection-detail.

const NAME = 'Zyxwanda Qorvath-Canary';
const TITLE = 'Canary title 7f3c9e: chemo follow-up for Zyxwanda';
const CANARIES = [NAME, TITLE, 'Zyxwanda', '7f3c9e'];
const PATIENT = 'p-canary';

/** A valid patient whose name is the canary: the compute path reads it. */
const VALID_PATIENT = 'p-canary-valid';

/**
 * A patient whose Canvas collections carry the canary where the schema refuses them: a wrong
 * type in an interview response, a collection we do not type named with the canary, a birth date
 * that is the canary. The record is refused; the logged problems name schema fields only.
 */
const UNKNOWN_FIELD_PATIENT = 'p-canary-unknown-field';

/**
 * The canary in every new collection, in Canvas's dump shape: names (patient, contacts, care
 * team, note provider), birth date, free text (condition display, interview response, reason for
 * visit), unknown keys named with it (kept: they reach the protocols) and a collection we do not
 * type. A valid record: the protocols compute over it.
 */
function canaryPatient(key: string) {
  return {
    patient: {
      key,
      firstName: 'Zyxwanda',
      lastName: NAME,
      nickname: NAME,
      birthDate: '1970-01-01',
      sexAtBirth: 'F',
      [`${NAME} nickname`]: TITLE,
      contacts: [{ name: NAME, relationship: TITLE, email: 'zyxwanda@example.test' }],
      careTeamMemberships: [
        { staff: { key: 'staff-1', firstName: NAME }, role: { code: 'PCP', display: TITLE } },
      ],
    },
    conditions: [
      {
        id: 1,
        clinicalStatus: 'active',
        coding: [{ system: 'ICD-10', code: 'E119', display: TITLE }],
        [NAME]: TITLE,
      },
    ],
    interviews: [
      {
        id: 2,
        name: TITLE,
        responses: [{ code: 'R1', codeSystem: 'INTERNAL', value: TITLE, questionResponseId: 1 }],
      },
    ],
    upcomingAppointments: [
      { id: 1, startTime: '2099-01-01T09:00:00Z', status: 'confirmed', reasonForVisit: TITLE },
    ],
    upcomingAppointmentNotes: [
      { id: 3, providerDisplay: { key: 'staff-1', firstName: NAME }, currentAppointmentId: 1 },
    ],
    messages: [{ id: 4, content: TITLE }],
    careGaps: [{ [NAME]: TITLE }],
  };
}

/**
 * A registered protocol that throws with the canary in its message on an appointment change and
 * on a scheduled run: the runner keeps only the error's name, and the compute log must too.
 */
class CanaryThrows extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'canary-throws',
    title: 'Throws with patient data in the message',
    version: '1.0.0',
    description: 'Test protocol.',
    types: ['Group'],
    computeOnChangeTypes: ['appointment'],
    notificationOnly: true,
  };

  computeResults(): ProtocolResult {
    throw new Error(`cannot compute for ${this.patient.patient.lastName} (${TITLE})`);
  }
}

/**
 * A registered protocol that builds its update by hand with a key named after the patient (as a
 * careless protocol could): the run fails `invalid-update`, and the logged error counts the key.
 */
class CanaryUpdateKey extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'canary-update-key',
    title: 'Keys an update with patient data',
    version: '1.0.0',
    description: 'Test protocol.',
    types: ['Group'],
    computeOnChangeTypes: ['appointment'],
  };

  computeResults(): ProtocolResult {
    const update = ensurePatientInGroup(this.patient.patient.key, 'g-canary');
    const key = `${this.patient.patient.lastName} (${TITLE})`;
    this.setUpdates([{ ...update, [key]: true } as Update]);
    return new ProtocolResult();
  }
}

const testStack = useTestStack({ quiet: false });
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
  // Everything the handlers can log, at the most verbose level, metrics included.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  await seedGroup(stack, 'g-canary', 'Oncology follow-up');
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.PatientsTable,
      Item: { patientKey: PATIENT, data: { patient: { firstName: 'Zyxwanda', lastName: NAME } } },
    }),
  );
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.PatientsTable,
      Item: {
        patientKey: VALID_PATIENT,
        data: canaryPatient(VALID_PATIENT),
      },
    }),
  );
  await stack.documents.send(
    new PutCommand({
      TableName: stack.tables.PatientsTable,
      Item: {
        patientKey: UNKNOWN_FIELD_PATIENT,
        data: {
          ...canaryPatient(UNKNOWN_FIELD_PATIENT),
          interviews: [
            {
              id: 2,
              responses: [{ code: 'R1', codeSystem: 'INTERNAL', value: { [NAME]: TITLE } }],
            },
          ],
          [`${NAME.replace(/[^a-z]/gi, '')}Notes`]: TITLE,
        },
      },
    }),
  );
});

describe('PHI canary', () => {
  it('writes no log line and no rejection detail that contains the canary strings', async () => {
    const task = createTaskPayload({
      patientKey: PATIENT,
      createdByKey: 'staff-1',
      title: TITLE,
      tag: NAME,
      labels: [NAME],
    });
    const taskMessages: Outgoing[] = [
      // Applied: the task with the canary title, tag and label.
      { body: task, metadata: { updateId: 'c-task' } },
      // Redelivered: a no-op.
      { body: task, metadata: { updateId: 'c-task' } },
      // Schema: a huge canary title.
      {
        body: {
          ...task,
          integration_payload: { ...task.integration_payload, title: TITLE.repeat(100) },
        },
        metadata: { updateId: 'c-huge-title' },
      },
      // Schema: canary as a wrong type, in an enum and as an unknown field's name and value.
      {
        body: {
          ...task,
          [NAME]: TITLE,
          integration_payload: { ...task.integration_payload, status: NAME, title: { name: NAME } },
        },
        metadata: { updateId: 'c-schema' },
      },
      // Invalid JSON quoting the canary.
      { body: `{"integration_payload": {"title": "${TITLE}"`, metadata: { updateId: 'c-json' } },
      // Unknown patient whose key is the canary name.
      {
        body: createTaskPayload({ patientKey: NAME, createdByKey: 'staff-1', title: TITLE }),
        metadata: { updateId: 'c-unknown-patient' },
      },
      // Invalid attributes next to a canary body.
      {
        body: task,
        attributes: { 'computed-at': { DataType: 'String', StringValue: NAME } },
        metadata: { updateId: 'c-attributes' },
      },
      // A group update on the task queue.
      { body: ensurePatientInGroup(PATIENT, 'g-canary'), metadata: { updateId: 'c-wrong-queue' } },
    ];
    const groupMessages: Outgoing[] = [
      { body: ensurePatientInGroup(PATIENT, 'g-canary'), metadata: { updateId: 'c-group' } },
      { body: ensurePatientInGroup(NAME, 'g-canary'), metadata: { updateId: 'c-group-unknown' } },
      // (Group ids are identifiers and are logged by design, so the canary is not put in one.)
      {
        body: ensurePatientInGroup(PATIENT, 'g-missing'),
        metadata: { updateId: 'c-group-no-group' },
      },
      {
        body: {
          ...ensurePatientInGroup(PATIENT, 'g-canary'),
          integration_payload: {
            ...ensurePatientInGroup(PATIENT, 'g-canary').integration_payload,
            members: { mode: 'appendOrRemove', entries: [{ uuid: PATIENT, name: NAME }] },
          },
        },
        metadata: { updateId: 'c-group-schema' },
      },
      { body: task, metadata: { updateId: 'c-task-on-group' } },
    ];
    const taskQueue = typeQueue(stack, 'Task');
    const groupQueue = typeQueue(stack, 'Group');
    await sendAll(stack.sqs, taskQueue, taskMessages, 1);
    await sendAll(stack.sqs, groupQueue, groupMessages, 1);

    const output = captureOutput();
    let lines: string[];
    try {
      await consume(stack.sqs, taskQueue, taskHandler, { concurrency: 1, batchSize: 3 });
      await consume(stack.sqs, groupQueue, groupHandler, { concurrency: 1, batchSize: 3 });
    } finally {
      lines = output.lines;
      output.restore();
    }
    const dead = [
      ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Task'))),
      ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Group'))),
    ].map(stringAttributes);

    // The capture works: one outcome line per record, and the metrics.
    const outcomeLines = lines.filter((l) => l.includes('"update record"'));
    expect(outcomeLines).toHaveLength(taskMessages.length + groupMessages.length);
    expect(lines.some((l) => l.includes('"UpdateRecords"'))).toBe(true);
    expect(outcomeLines.join('\n')).toContain('c-task');
    // And the rejections happened.
    expect(dead.map((a) => a['update-id']).sort()).toEqual(
      [
        'c-attributes',
        'c-group-no-group',
        'c-group-schema',
        'c-group-unknown',
        'c-huge-title',
        'c-json',
        'c-schema',
        'c-task-on-group',
        'c-unknown-patient',
        'c-wrong-queue',
      ].sort(),
    );

    for (const canary of CANARIES) {
      expect(lines.filter((line) => line.includes(canary))).toEqual([]);
      expect(dead.filter((a) => a['rejection-detail']?.includes(canary))).toEqual([]);
    }
  });
  it('writes no compute log line that contains the canary strings', async () => {
    const patients = new DynamoDbPatientSource(stack.documents, stack.tables.PatientsTable ?? '');
    const sender = new SqsBatchSender({ client: stack.sqs, baseDelayMs: 1 });
    const updates = new SqsUpdateQueue(sender, updateQueueUrls(stack));
    // Stands in for a library error quoting what it was sent, which the emulators never produce:
    // the failure line must carry its name only.
    const quotingUpdates: UpdateQueue = {
      enqueue: async () => {
        throw new Error(`refused the update for ${NAME}: ${TITLE}`);
      },
    };
    // Created after beforeAll set POWERTOOLS_LOG_LEVEL=DEBUG, as in a Lambda.
    const telemetry = () => ({ recorder: powertoolsComputeRecorder() });
    const onChange = createComputeOnChangeHandler(() => ({
      protocols: [CanaryThrows, CanaryUpdateKey, ...PROTOCOLS],
      patients,
      updates,
      ...telemetry(),
    }));
    const onChangeFailingSend = createComputeOnChangeHandler(() => ({
      protocols: PROTOCOLS,
      patients,
      updates: quotingUpdates,
      ...telemetry(),
    }));
    const segment = createComputeSegmentHandler(() => ({
      protocols: [CanaryThrows, CanaryUpdateKey, ...PROTOCOLS],
      patients,
      updates,
      jobs: new SqsComputeJobQueue(sender, (stack.queues.ComputeJobsQueue as QueueRef).url),
      budget: { pageSize: 100, reserveMs: 1_000 },
      ...telemetry(),
    }));
    const context = { getRemainingTimeInMillis: () => 300_000 } as never;
    const validChange = {
      patient_key: VALID_PATIENT,
      model_name: 'appointment',
      created: true,
      deleted: false,
      fields: { start_time: [null, '2099-01-01T09:00:00'] },
      canvas_id: 1,
      external_id: null,
    };
    const changeMessages: Outgoing[] = [
      // Computed: one canary protocol throws with the canary in its message, the other sets an
      // update with a canary-named key.
      { body: validChange },
      // Unknown patient whose key is the canary name.
      { body: { ...validChange, patient_key: NAME } },
      // A known patient whose record the schema refuses (its key is an id; its data is not).
      { body: { ...validChange, patient_key: PATIENT } },
      // A known patient whose record has a canary-named unknown field.
      { body: { ...validChange, patient_key: UNKNOWN_FIELD_PATIENT } },
      // Unknown top-level field named with the canary, and a canary-named change field whose
      // value is not a pair.
      { body: { ...validChange, [NAME]: TITLE, fields: { [NAME]: TITLE } } },
      // Canary as an enum value and as a wrong type.
      { body: { ...validChange, model_name: NAME, created: TITLE } },
      // Invalid JSON quoting the canary.
      { body: `{"patient_key": "${NAME}", "fields": {"${TITLE}"` },
    ];
    const jobMessages: Outgoing[] = [
      // Scans every patient: the canary-named one (both canary protocols fail) and the two
      // invalid ones.
      {
        body: {
          runId: 'canary-run',
          computedAt: '2024-03-01T06:00:00Z',
          segment: 0,
          totalSegments: 1,
        },
      },
      // Refused jobs: an unknown field and a start key named with the canary.
      {
        body: {
          runId: 'canary-run',
          computedAt: '2024-03-01T06:00:00Z',
          segment: 0,
          totalSegments: 1,
          [NAME]: TITLE,
          startKey: { [NAME]: { name: TITLE } },
        },
      },
    ];
    const changesQueue = stack.queues.ChangesQueue as QueueRef;
    const jobsQueue = stack.queues.ComputeJobsQueue as QueueRef;
    await sendAll(stack.sqs, changesQueue, changeMessages, 1);
    await sendAll(stack.sqs, jobsQueue, jobMessages, 1);

    const output = captureOutput();
    let lines: string[];
    try {
      await consume(stack.sqs, changesQueue, (event: SQSEvent) => onChange(event, context), {
        concurrency: 1,
        batchSize: 3,
      });
      await consume(stack.sqs, jobsQueue, (event: SQSEvent) => segment(event, context), {
        concurrency: 1,
        batchSize: 1,
      });
      await sendAll(stack.sqs, changesQueue, [
        { body: { ...validChange, model_name: 'condition' } },
      ]);
      await consume(
        stack.sqs,
        changesQueue,
        (event: SQSEvent) => onChangeFailingSend(event, context),
        { concurrency: 1, batchSize: 1 },
      );
    } finally {
      lines = output.lines;
      output.restore();
    }

    // The capture works and every path ran: rejections by each reason, the failed protocol runs,
    // the refused jobs, the computed segment, the failed send, and the metrics.
    const withText = (text: string) => lines.filter((line) => line.includes(text));
    for (const reason of ['invalid-change-event', 'unknown-patient', 'invalid-patient-record'])
      expect(withText(`"reason":"${reason}"`).length).toBeGreaterThan(0);
    expect(withText('"protocol run failed"').length).toBeGreaterThanOrEqual(2);
    expect(withText('"compute job refused"').length).toBeGreaterThan(0);
    expect(withText('"segment job computed"').length).toBeGreaterThan(0);
    expect(withText('"compute job failed"').length).toBeGreaterThan(0);
    expect(withText('"ChangeEventsRejected"').length).toBeGreaterThan(0);
    expect(withText('"ComputeJobsFailed"').length).toBeGreaterThan(0);
    // The known patient's key is an id and is logged; the unknown one is not.
    expect(withText(`"patientKey":"${PATIENT}"`).length).toBeGreaterThan(0);
    // The canary-named unknown field and update key: refused and counted as before, the names
    // withheld.
    const logged = (message: string) =>
      withText(`"message":"${message}"`).map((line) => JSON.parse(line));
    expect(
      logged('change event rejected').filter(
        (line) =>
          line.patientKey === UNKNOWN_FIELD_PATIENT &&
          line.reason === 'invalid-patient-record' &&
          line.detail ===
            'interviews[0].responses[0].value: must be a string, a number or a boolean',
      ).length,
    ).toBeGreaterThan(0);
    expect(
      logged('invalid patient record skipped')
        .map((line) => line.patientKey)
        .sort(),
    ).toEqual([PATIENT, UNKNOWN_FIELD_PATIENT].sort());
    const keyedRuns = logged('protocol run failed').filter(
      (line) => line.protocol === 'canary-update-key',
    );
    // One on the change, one in the segment scan.
    expect(keyedRuns).toHaveLength(2);
    for (const run of keyedRuns) {
      expect(run.errorCode).toBe('invalid-update');
      expect(run.error).toBe(
        'updates[0]: 1 unknown field (names withheld, the dry run names them)',
      );
    }
    const [segmentSummary] = logged('segment job computed');
    expect(segmentSummary.counts).toMatchObject({ patients: 1, invalidPatients: 2, failed: 2 });
    const changeSummaries = logged('change recomputed').filter(
      (line) => line.patientKey === VALID_PATIENT,
    );
    expect(changeSummaries).toHaveLength(1);
    expect(changeSummaries[0].counts).toMatchObject({ patients: 1, failed: 2 });

    for (const canary of CANARIES)
      expect(lines.filter((line) => line.includes(canary))).toEqual([]);
  });
});
