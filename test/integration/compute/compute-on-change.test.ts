import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { handler as computeOnChange } from '../../../handlers/compute-on-change';
import type { FlatChangeEvent, PatientInput } from '../../../schemas';
import { CreateTaskUpdateSchema, UpdateTaskUpdateSchema } from '../../../schemas';
import { withUpcomingAppointments } from '../../support/canvas-patient';
import type { TestStack } from '../../support/local-stack';
import { useTestStack } from '../../support/use-test-stack';
import {
  attributesOf,
  drainQueue,
  lambdaContext,
  queueUrlOf,
  seedPatients,
  sendMessage,
  sqsEventOf,
  testPatient,
} from './compute-test-support';

const APPOINTMENT_ID = 77;

/** Patient 0 has active diabetes and a confirmed appointment far in the future. */
function patientWithAppointment(): PatientInput {
  return withUpcomingAppointments(testPatient(0), [
    { id: APPOINTMENT_ID, startTime: '2099-06-01T09:00:00', providerKey: 'staff-7' },
  ]);
}

const patientKey = patientWithAppointment().patient.key;

function changeOf(overrides: Partial<FlatChangeEvent>): FlatChangeEvent {
  return {
    patient_key: patientKey,
    model_name: 'appointment',
    created: true,
    deleted: false,
    fields: { start_time: [null, '2099-06-01T09:00:00'] },
    canvas_id: APPOINTMENT_ID,
    external_id: null,
    ...overrides,
  };
}

describe('change-driven recomputation (DynamoDB Local + local SQS)', () => {
  const testStack = useTestStack();
  let stack: TestStack;
  let url: (logicalId: string) => string;

  beforeAll(async () => {
    stack = testStack();
    url = queueUrlOf(stack);
    await seedPatients(stack.documents, stack.tables.PatientsTable ?? '', [
      patientWithAppointment(),
    ]);
  }, 60_000);

  /** Sends the bodies to the changes queue, receives them and runs the handler on them. */
  async function deliver(...bodies: unknown[]) {
    for (const body of bodies) await sendMessage(stack.sqs, url('ChangesQueue'), body);
    const messages = await drainQueue(stack.sqs, url('ChangesQueue'));
    const response = await computeOnChange(
      sqsEventOf(messages, stack.queues.ChangesQueue?.arn ?? ''),
      lambdaContext(() => 60_000),
    );
    return { messages, response };
  }

  it('an appointment change recomputes only the appointment protocol: one Task, no Group', async () => {
    const { response } = await deliver(changeOf({ model_name: 'appointment' }));
    expect(response.batchItemFailures).toEqual([]);

    expect(await drainQueue(stack.sqs, url('GroupQueue'))).toEqual([]);
    const tasks = await drainQueue(stack.sqs, url('TaskQueue'));
    expect(tasks).toHaveLength(1);
    const task = CreateTaskUpdateSchema.parse(JSON.parse(tasks[0]?.Body ?? ''));
    expect(task.patient_identifier.identifier.key).toBe(patientKey);
    expect(task.integration_payload.dedupe_key).toBe(`appointment-reminder:${APPOINTMENT_ID}`);
    const attributes = attributesOf(tasks[0] ?? {});
    expect(attributes.protocol).toBe('appointment-reminder');
    expect(attributes['update-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(Date.parse(attributes['computed-at'] ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a cancellation sends a TaskUpdate closing the reminder, on the task-lifecycle queue only', async () => {
    const { response } = await deliver(
      changeOf({ created: false, fields: { status: ['confirmed', 'cancelled'] } }),
    );
    expect(response.batchItemFailures).toEqual([]);

    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    expect(await drainQueue(stack.sqs, url('GroupQueue'))).toEqual([]);
    expect(await drainQueue(stack.sqs, url('TaskCommentQueue'))).toEqual([]);
    const lifecycle = await drainQueue(stack.sqs, url('TaskUpdateQueue'));
    expect(lifecycle).toHaveLength(1);
    expect(UpdateTaskUpdateSchema.parse(JSON.parse(lifecycle[0]?.Body ?? ''))).toEqual({
      integration_type: 'TaskUpdate',
      integration_source: 'SDK',
      handling_options: { respond_async: true },
      patient_identifier: { identifier_type: 'key', identifier: { key: patientKey } },
      integration_payload: {
        task: { dedupe_key: `appointment-reminder:${APPOINTMENT_ID}` },
        status: 'CLOSED',
      },
    });
    const attributes = attributesOf(lifecycle[0] ?? {});
    expect(attributes.protocol).toBe('appointment-reminder');
    expect(attributes['update-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a condition change recomputes only the diabetes group protocol', async () => {
    const { response } = await deliver(
      changeOf({ model_name: 'condition', fields: { clinical_status: ['inactive', 'active'] } }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    const groups = await drainQueue(stack.sqs, url('GroupQueue'));
    expect(groups.map((m) => attributesOf(m).protocol)).toEqual(['diabetes-care-group']);
  });

  it('a change outside every protocol list sends nothing and succeeds', async () => {
    const { response } = await deliver(changeOf({ model_name: 'vital_sign' }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    expect(await drainQueue(stack.sqs, url('GroupQueue'))).toEqual([]);
  });

  it('rejects an unknown patient and a malformed event as item failures; the rest of the batch is applied', async () => {
    const { messages, response } = await deliver(
      changeOf({ patient_key: 'patient-unknown' }),
      'not a change event',
      changeOf({ model_name: 'condition' }),
    );
    expect(messages).toHaveLength(3);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [messages[0]?.MessageId, messages[1]?.MessageId].sort(),
    );
    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    // The condition change succeeded; its membership update is the one the earlier condition
    // change sent, so it is held back (docs/scaling.md, steady state).
    expect(await drainQueue(stack.sqs, url('GroupQueue'))).toEqual([]);
  });

  it('a redelivered change sends nothing once recorded, and the same update id when it was not', async () => {
    await sendMessage(stack.sqs, url('ChangesQueue'), changeOf({ model_name: 'appointment' }));
    const messages = await drainQueue(stack.sqs, url('ChangesQueue'));
    const event = sqsEventOf(messages, stack.queues.ChangesQueue?.arn ?? '');
    await computeOnChange(
      event,
      lambdaContext(() => 60_000),
    );
    await computeOnChange(
      event,
      lambdaContext(() => 60_000),
    );
    // Redelivered after it was recorded: the Task is the one last sent, so nothing is enqueued.
    const tasks = await drainQueue(stack.sqs, url('TaskQueue'));
    expect(tasks).toHaveLength(1);

    // Redelivered after a crash between its enqueue and its results write (the recorded result
    // removed, as it never was): sent again, with the same update id.
    await stack.documents.send(
      new DeleteCommand({
        TableName: stack.tables.ProtocolResultsTable,
        Key: { patientKey, protocol: 'appointment-reminder' },
      }),
    );
    await computeOnChange(
      event,
      lambdaContext(() => 60_000),
    );
    const again = await drainQueue(stack.sqs, url('TaskQueue'));
    expect(again).toHaveLength(1);
    expect(attributesOf(again[0] ?? {})['update-id']).toBe(
      attributesOf(tasks[0] ?? {})['update-id'],
    );
  });
});
