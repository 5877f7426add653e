import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { PowertoolsComputeRecorder } from '../../../lib/aws/compute-telemetry';
import { createComputeOnChangeHandler } from '../../../lib/compute';
import { Protocol, type ProtocolMeta, ProtocolResult } from '../../../lib/protocol';
import { ensurePatientInGroup } from '../../../lib/update-helpers';
import { PROTOCOLS } from '../../../protocols';
import {
  CreateTaskUpdateSchema,
  GroupMembershipUpdateSchema,
  type PatientInput,
} from '../../../schemas';
import { withUpcomingAppointments } from '../../support/canvas-patient';
import type { TestStack } from '../../support/local-stack';
import { captureOutput, consume } from '../../support/reliability';
import { type QueueRef, takeAll } from '../../support/sqs-driver';
import { useTestStack } from '../../support/use-test-stack';
import {
  attributesOf,
  drainQueue,
  lambdaContext,
  queueUrlOf,
  recomputeOverStack,
  seedPatients,
  sendMessage,
  sqsEventOf,
  testPatient,
} from './compute-test-support';

// Change events exactly as Canvas sends them (the documented "Field Changes" object, unchanged),
// through local SQS and the real computeOnChange handler over DynamoDB Local, with the registered
// protocols plus a probe of our own: an `appointment` protocol that sends one Group update for
// the patient it computed, so a computation that sends nothing else is still seen.

const ROOT = join(__dirname, '../../..');
const KIT_CHANGE = JSON.parse(
  readFileSync(
    join(ROOT, '..', 'shared', 'kit-fixtures', 'changes', 'appointment-created.json'),
    'utf8',
  ),
) as Record<string, unknown> & { canvas_id: number };

const PROBE_GROUP = 'g-appointment-probe';

class AppointmentProbe extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'appointment-probe',
    title: 'Appointment probe',
    version: '1.0.0',
    description: 'Test protocol: one Group update per computation, for the patient computed.',
    types: ['Group'],
    computeOnChangeTypes: ['appointment'],
  };

  computeResults(): ProtocolResult {
    this.setUpdates([ensurePatientInGroup(this.patient.patient.key, PROBE_GROUP)]);
    return new ProtocolResult();
  }
}

/** Patient 0 (active diabetes) with the documented event's appointment (id 14), upcoming. */
function patientWithKitAppointment(): PatientInput {
  return withUpcomingAppointments(testPatient(0), [
    {
      id: KIT_CHANGE.canvas_id,
      startTime: '2099-09-09T23:00:00+00:00',
      providerKey: 'staff-13',
      status: 'confirmed',
    },
  ]);
}

/** Another patient: a change for patient 0 must not compute for them. */
const OTHER = testPatient(1);
const patientKey = patientWithKitAppointment().patient.key;

const NOTE_STATE_CHANGE = {
  model_name: 'notestatechangeevent',
  created: true,
  deleted: false,
  fields: { id: [null, 91], note_id: [null, 26], state: [null, 'CVD'] },
  canvas_id: 91,
  external_id: null,
  external_identifiers: null,
};

describe('change events as Canvas sends them (DynamoDB Local + local SQS)', () => {
  const testStack = useTestStack({ quiet: false });
  let stack: TestStack;
  let url: (logicalId: string) => string;
  let lines: string[] = [];

  beforeAll(async () => {
    stack = testStack();
    url = queueUrlOf(stack);
    await seedPatients(stack.documents, stack.tables.PatientsTable ?? '', [
      patientWithKitAppointment(),
      OTHER,
    ]);
  }, 60_000);

  const handler = () =>
    createComputeOnChangeHandler(() => ({
      ...recomputeOverStack(stack),
      protocols: [...PROTOCOLS, AppointmentProbe],
      recorder: new PowertoolsComputeRecorder(
        new Logger({ serviceName: 'kit-change-events-test', logLevel: 'INFO' }),
        new Metrics({ namespace: 'Test', serviceName: 'kit-change-events-test' }),
      ),
    }));

  /** Sends the bodies to the changes queue, receives them, runs the handler, captures its logs. */
  async function deliver(...bodies: unknown[]) {
    for (const body of bodies) await sendMessage(stack.sqs, url('ChangesQueue'), body);
    const messages = await drainQueue(stack.sqs, url('ChangesQueue'));
    const output = captureOutput();
    try {
      const response = await handler()(
        sqsEventOf(messages, stack.queues.ChangesQueue?.arn ?? ''),
        lambdaContext(() => 60_000),
      );
      return { messages, response };
    } finally {
      lines = output.lines;
      output.restore();
    }
  }

  /** The Group updates sent, as protocol and patient. */
  async function groupUpdates() {
    return (await drainQueue(stack.sqs, url('GroupQueue'))).map((m) => ({
      protocol: attributesOf(m).protocol,
      patients: GroupMembershipUpdateSchema.parse(
        JSON.parse(m.Body ?? ''),
      ).integration_payload.members.entries.map((e) => e.uuid),
    }));
  }

  const logged = (message: string) =>
    lines.flatMap((line) => {
      try {
        const json = JSON.parse(line) as Record<string, unknown>;
        return json.message === message ? [json] : [];
      } catch {
        return [];
      }
    });

  it.each([
    ['in the envelope', { patient_key: patientKey, field_changes: KIT_CHANGE }],
    ['in the flat form', { patient_key: patientKey, ...KIT_CHANGE }],
  ])(
    'the documented change event, %s, recomputes the appointment protocols for its patient',
    async (_form, body) => {
      const { response } = await deliver(body);
      expect(response.batchItemFailures).toEqual([]);

      // The probe computed for this patient only; the diabetes group (condition, patient) did not.
      expect(await groupUpdates()).toEqual([
        { protocol: 'appointment-probe', patients: [patientKey] },
      ]);
      // The appointment reminder found appointment 14 in the patient's data: its Task.
      const tasks = await drainQueue(stack.sqs, url('TaskQueue'));
      expect(tasks.map((m) => attributesOf(m).protocol)).toEqual(['appointment-reminder']);
      const task = CreateTaskUpdateSchema.parse(JSON.parse(tasks[0]?.Body ?? ''));
      expect(task.patient_identifier.identifier.key).toBe(patientKey);
      expect(task.integration_payload.dedupe_key).toBe(
        `appointment-reminder:${KIT_CHANGE.canvas_id}`,
      );
      expect(logged('change recomputed')).toEqual([
        expect.objectContaining({
          patientKey,
          changeTypes: ['appointment'],
          unknownFieldChangesKeys: 0,
        }),
      ]);
    },
  );

  it('a notestatechangeevent with a state change recomputes the appointment protocols', async () => {
    const { response } = await deliver({
      patient_key: patientKey,
      field_changes: NOTE_STATE_CHANGE,
    });
    expect(response.batchItemFailures).toEqual([]);

    expect(await groupUpdates()).toEqual([
      { protocol: 'appointment-probe', patients: [patientKey] },
    ]);
    // Not the appointment's own creation: the reminder computed and sent nothing.
    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    expect(logged('change recomputed')).toEqual([
      expect.objectContaining({
        patientKey,
        changeTypes: ['appointment'],
        counts: expect.objectContaining({ computed: 2, notRelevant: 1 }),
      }),
    ]);
  });

  it.each([
    ['patient', { active: [false, true] }],
    ['patientaddress', { city: [null, 'x'] }],
    ['careteammembership', { staff_id: [null, 4] }],
  ])(
    'a %s change recomputes the patient protocols, not the appointment ones',
    async (model, fields) => {
      const { response } = await deliver({
        patient_key: patientKey,
        field_changes: { ...KIT_CHANGE, model_name: model, created: false, fields, canvas_id: 3 },
      });
      expect(response.batchItemFailures).toEqual([]);

      expect(await groupUpdates()).toEqual([
        { protocol: 'diabetes-care-group', patients: [patientKey] },
      ]);
      expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    },
  );

  it('the change types the envelope names win over the model, and unknown keys are kept, counted, never named', async () => {
    const SECRET_KEY = 'Jane Canary Doe';
    const { response } = await deliver({
      patient_key: patientKey,
      change_types: ['appointment'],
      field_changes: { ...KIT_CHANGE, model_name: 'somethingnew', added_later: 1, [SECRET_KEY]: 2 },
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(await groupUpdates()).toEqual([
      { protocol: 'appointment-probe', patients: [patientKey] },
    ]);
    expect(logged('change recomputed')).toEqual([
      expect.objectContaining({ changeTypes: ['appointment'], unknownFieldChangesKeys: 2 }),
    ]);
    expect(lines.join('\n')).not.toContain(SECRET_KEY);
  });

  it('dead-letters an event whose change type cannot be determined, with its reason, computing nothing', async () => {
    const undeterminable = {
      patient_key: patientKey,
      field_changes: { ...KIT_CHANGE, model_name: 'somethingnew' },
    };
    const { messages, response } = await deliver(undeterminable, {
      patient_key: patientKey,
      field_changes: KIT_CHANGE,
    });
    const [refused, computed] = messages;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: refused?.MessageId }]);
    expect(logged('change event rejected')).toEqual([
      expect.objectContaining({
        messageId: refused?.MessageId,
        reason: 'unknown-change-type',
        detail: expect.stringMatching(/^field_changes\.model_name: no change type is known/),
      }),
    ]);
    expect(logged('change recomputed')).toEqual([
      expect.objectContaining({ messageId: computed?.MessageId }),
    ]);
    expect(lines.join('\n')).not.toContain('somethingnew');
    // Only the other event computed.
    expect(await groupUpdates()).toEqual([
      { protocol: 'appointment-probe', patients: [patientKey] },
    ]);
    await drainQueue(stack.sqs, url('TaskQueue'));

    // Redelivered until the redrive policy (maxReceiveCount) moves it to the changes DLQ, as is.
    await sendMessage(stack.sqs, url('ChangesQueue'), undeterminable);
    const output = captureOutput();
    let stats: Awaited<ReturnType<typeof consume>>;
    try {
      stats = await consume(
        stack.sqs,
        stack.queues.ChangesQueue as QueueRef,
        (event: SQSEvent) =>
          handler()(
            event,
            lambdaContext(() => 60_000),
          ),
        { concurrency: 1, batchSize: 1 },
      );
    } finally {
      output.restore();
    }
    expect(stats.failedRecords).toBeGreaterThan(1);
    expect(stats.handlerErrors).toBe(0);
    const dead = await takeAll(stack.sqs, stack.queues.ChangesDeadLetterQueue as QueueRef);
    expect(dead.map((m) => JSON.parse(String(m.Body)))).toEqual([undeterminable]);
    expect(await groupUpdates()).toEqual([]);
    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
  });
});
