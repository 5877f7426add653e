import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { shiftWallClock } from '../../lib';
import { patientItem } from '../../lib/aws/table-items';
import { type OfflineStack, startOfflineStack } from '../../local/offline-stack';
import {
  addComputeTotals,
  type ComputeTotals,
  computeCountsOfLine,
  deadLetterQueues,
  emptyComputeTotals,
  readDeadLetters,
  UPDATE_TYPES,
  waitUntilDrained,
} from '../../local/run-metrics';
import {
  demoAppointmentId,
  demoPatient,
  demoPatientKey,
  hasActiveDiabetes,
} from '../../local/seed-demo-data';
import { REMINDER_DAYS_BEFORE, reminderDedupeKey } from '../../protocols/appointment-reminder';
import { DIABETES_CARE_GROUP_ID } from '../../protocols/diabetes-care-group';

jest.setTimeout(180_000);

const PATIENTS = 9;
const INDEXES = Array.from({ length: PATIENTS }, (_, i) => i + 1);
/** The seeded patients with an appointment (every third one, in 2035: always upcoming). */
const WITH_APPOINTMENT = INDEXES.filter((i) => demoAppointmentId(i) !== undefined);
/** The patient whose appointment the change-event test cancels. */
const CANCELLED = 3;

/** The reminder task the seed's appointment of patient `index` should have. */
function expectedReminder(index: number) {
  const seeded = demoPatient(index);
  const [appointment] = seeded.upcomingAppointments ?? [];
  const [note] = seeded.upcomingAppointmentNotes ?? [];
  if (!appointment || !note) throw new Error(`demo patient ${index} has no appointment`);
  return {
    patientKey: demoPatientKey(index),
    dedupeKey: reminderDedupeKey(appointment.id),
    status: 'OPEN',
    labels: ['Urgent'],
    assigneeKey: note.providerDisplay?.key,
    due: shiftWallClock(appointment.startTime, -REMINDER_DAYS_BEFORE),
    protocol: 'appointment-reminder',
  };
}

const byPatient = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a.patientKey).localeCompare(String(b.patientKey));

/**
 * End to end through serverless-offline: the real functions (bundled by serverless-esbuild), the
 * local SQS event source, DynamoDB Local. One stack for the whole file; the tests run in order.
 * The schedule is off so each recomputation is exactly one planner invocation (with the event
 * EventBridge sends); test/e2e/schedule.test.ts shows the schedule itself firing.
 */
describe('recomputation through serverless-offline', () => {
  let stack: OfflineStack;
  const compute: ComputeTotals = emptyComputeTotals();
  const output: string[] = [];

  const computedSince = async (run: () => Promise<unknown>): Promise<ComputeTotals> => {
    const before = structuredClone(compute);
    await run();
    await waitUntilDrained(stack.sqs, stack.resources, { intervalMs: 300, stableChecks: 4 });
    return {
      patients: compute.patients - before.patients,
      protocolRuns: compute.protocolRuns - before.protocolRuns,
      updates: Object.fromEntries(
        UPDATE_TYPES.map((type) => [type, compute.updates[type] - before.updates[type]]),
      ) as ComputeTotals['updates'],
      unchangedUpdates: compute.unchangedUpdates - before.unchangedUpdates,
    };
  };
  const scheduledRecomputation = () =>
    computedSince(() =>
      // The event EventBridge (and serverless-offline's scheduler) gives the planner.
      stack.invoke('planRecomputation', {
        id: `e2e-${Date.now()}`,
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      }),
    );
  const sendChange = (change: Record<string, unknown>) =>
    computedSince(() =>
      stack.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.resources.queues.ChangesQueue?.url,
          MessageBody: JSON.stringify(change),
        }),
      ),
    );
  const scan = async (logicalId: string) =>
    (await stack.documents.send(new ScanCommand({ TableName: stack.resources.tables[logicalId] })))
      .Items ?? [];
  /** Messages on every DLQ, by logical id (receiving hides them; none is deleted). */
  const deadLetters = async () =>
    Object.fromEntries(
      await Promise.all(
        deadLetterQueues(stack.resources).map(async ({ logicalId, url }) => [
          logicalId,
          (await readDeadLetters(stack.sqs, url)).total,
        ]),
      ),
    );
  const noDeadLetters = () =>
    Object.fromEntries(deadLetterQueues(stack.resources).map(({ logicalId }) => [logicalId, 0]));

  beforeAll(async () => {
    stack = await startOfflineStack({
      stage: 'e2e',
      patients: PATIENTS,
      visibilityTimeoutSeconds: 3,
      params: { recomputeScheduleEnabled: 'false' },
      onLine: (line) => {
        output.push(line);
        const counts = computeCountsOfLine(line);
        if (counts) addComputeTotals(compute, counts);
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('puts every seeded patient in or out of the diabetes care group and reminds of every appointment', async () => {
    expect(WITH_APPOINTMENT.length).toBeGreaterThan(0);
    const counts = await scheduledRecomputation();
    expect(counts).toEqual({
      patients: PATIENTS,
      protocolRuns: PATIENTS * 2,
      // The group protocol: one update each; the reminder: one task per upcoming appointment.
      updates: {
        Group: PATIENTS,
        Task: WITH_APPOINTMENT.length,
        TaskUpdate: 0,
        TaskComment: 0,
        TaskMetadata: 0,
      },
      unchangedUpdates: 0,
    });

    const memberships = await scan('MembershipsTable');
    expect(memberships).toHaveLength(PATIENTS);
    for (const i of INDEXES) {
      const membership = memberships.find((m) => m.patientKey === demoPatientKey(i));
      expect(membership).toMatchObject({
        groupId: DIABETES_CARE_GROUP_ID,
        active: hasActiveDiabetes(i),
      });
    }
    // Exactly one task per appointment.
    const tasks = (await scan('TasksTable')).sort(byPatient);
    expect(tasks).toHaveLength(WITH_APPOINTMENT.length);
    expect(tasks).toEqual(
      WITH_APPOINTMENT.map((i) => expect.objectContaining(expectedReminder(i))),
    );
    expect(await deadLetters()).toEqual(noDeadLetters());
  });

  it('recomputes only the protocols a change event impacts', async () => {
    const patientKey = demoPatientKey(CANCELLED);
    const appointmentId = demoAppointmentId(CANCELLED);
    const tasksBefore = (await scan('TasksTable')).sort(byPatient);
    const created = {
      patient_key: patientKey,
      model_name: 'appointment',
      created: true,
      deleted: false,
      fields: {},
      canvas_id: appointmentId,
      external_id: null,
    };
    // appointment: the reminder runs, the diabetes group (condition, patient) does not. Its Task
    // is the one the scheduled run sent (same body): recorded as sent, so held back.
    expect(await sendChange(created)).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 0, Task: 0, TaskUpdate: 0, TaskComment: 0, TaskMetadata: 0 },
      unchangedUpdates: 1,
    });
    // The scheduled run made this appointment's task: the creation's task is the same one.
    expect((await scan('TasksTable')).sort(byPatient)).toEqual(tasksBefore);
    expect(await scan('LabelsTable')).toHaveLength(1);

    // condition: the other way round (the same membership update as before: held back too).
    expect(
      await sendChange({ ...created, model_name: 'condition', canvas_id: 'demo-cond-0003' }),
    ).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 0, Task: 0, TaskUpdate: 0, TaskComment: 0, TaskMetadata: 0 },
      unchangedUpdates: 1,
    });
    // `recompute --patient --reassert` (the change event's `reassert` attribute) sends it.
    expect(
      await computedSince(() =>
        stack.sqs.send(
          new SendMessageCommand({
            QueueUrl: stack.resources.queues.ChangesQueue?.url,
            MessageBody: JSON.stringify({ ...created, model_name: 'condition' }),
            MessageAttributes: { reassert: { DataType: 'String', StringValue: 'true' } },
          }),
        ),
      ),
    ).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 1, Task: 0, TaskUpdate: 0, TaskComment: 0, TaskMetadata: 0 },
      unchangedUpdates: 0,
    });

    // The appointment is cancelled, in the data and by a change event (as the platform does):
    // the reminder sends a TaskUpdate that closes its task.
    const cancelled = demoPatient(CANCELLED);
    cancelled.upcomingAppointments = (cancelled.upcomingAppointments ?? []).map((a) => ({
      ...a,
      status: 'cancelled',
      state: { state: 'CLD' },
    }));
    await stack.documents.send(
      new PutCommand({
        TableName: stack.resources.tables.PatientsTable,
        Item: patientItem(cancelled, new Date().toISOString()),
      }),
    );
    expect(
      await sendChange({
        ...created,
        created: false,
        fields: { status: ['confirmed', 'cancelled'] },
      }),
    ).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 0, Task: 0, TaskUpdate: 1, TaskComment: 0, TaskMetadata: 0 },
      unchangedUpdates: 0,
    });
    const tasks = await scan('TasksTable');
    expect(tasks).toHaveLength(WITH_APPOINTMENT.length);
    expect(tasks.find((t) => t.patientKey === patientKey)).toMatchObject({
      status: 'CLOSED',
      revision: 1,
    });
    expect(await deadLetters()).toEqual(noDeadLetters());
  });

  it('changes nothing on a second recomputation: nothing re-sent, memberships unchanged', async () => {
    const before = {
      memberships: await scan('MembershipsTable'),
      tasks: (await scan('TasksTable')).sort(byPatient),
    };
    const counts = await scheduledRecomputation();
    // Every update equals the last one sent for its patient and protocol: none is enqueued (the
    // cancelled appointment gets nothing at all, not even a close). Re-asserted after
    // reassertAfter (24 h), or with `recompute --all --reassert` (below).
    const upcoming = WITH_APPOINTMENT.filter((i) => i !== CANCELLED);
    expect(upcoming.length).toBeGreaterThan(0);
    expect(counts.updates).toEqual({
      Group: 0,
      Task: 0,
      TaskUpdate: 0,
      TaskComment: 0,
      TaskMetadata: 0,
    });
    expect(counts.unchangedUpdates).toBe(PATIENTS + upcoming.length);

    const memberships = await scan('MembershipsTable');
    expect(memberships).toHaveLength(PATIENTS);
    for (const previous of before.memberships) {
      const now = memberships.find(
        (m) => m.patientKey === previous.patientKey && m.groupId === previous.groupId,
      );
      // Same state, same period: only the bookkeeping of the confirming write moves.
      expect(now?.active).toBe(previous.active);
      expect(now?.startedAt).toEqual(previous.startedAt);
      expect(now?.endedAt).toEqual(previous.endedAt);
      expect(now?.createdAt).toEqual(previous.createdAt);
    }
    // Every task exactly as before: none added, none reopened, none rewritten.
    expect((await scan('TasksTable')).sort(byPatient)).toEqual(before.tasks);
    // The group's index holds one membership per patient: no duplicate was written.
    const { Count } = await stack.documents.send(
      new QueryCommand({
        TableName: stack.resources.tables.MembershipsTable,
        KeyConditionExpression: 'groupId = :g',
        ExpressionAttributeValues: { ':g': DIABETES_CARE_GROUP_ID },
        Select: 'COUNT',
      }),
    );
    expect(Count).toBe(PATIENTS);
    // Nothing was dead-lettered on the way (an unknown-task close would be).
    expect(await deadLetters()).toEqual(noDeadLetters());
  });

  it('re-sends everything on a forced run (--reassert), which the appliers leave as it is', async () => {
    const before = {
      memberships: await scan('MembershipsTable'),
      tasks: (await scan('TasksTable')).sort(byPatient),
    };
    const counts = await computedSince(() =>
      stack.invoke('planRecomputation', {
        id: `e2e-forced-${Date.now()}`,
        time: new Date().toISOString(),
        reassert: true,
      }),
    );
    // Every other appointment its task again, which the Task applier finds by its dedupe key
    // and leaves as it is.
    const upcoming = WITH_APPOINTMENT.filter((i) => i !== CANCELLED);
    expect(counts.updates).toEqual({
      Group: PATIENTS,
      Task: upcoming.length,
      TaskUpdate: 0,
      TaskComment: 0,
      TaskMetadata: 0,
    });
    expect(counts.unchangedUpdates).toBe(0);
    const memberships = await scan('MembershipsTable');
    for (const previous of before.memberships)
      expect(
        memberships.find(
          (m) => m.patientKey === previous.patientKey && m.groupId === previous.groupId,
        ),
      ).toMatchObject({ active: previous.active, createdAt: previous.createdAt });
    expect((await scan('TasksTable')).sort(byPatient)).toEqual(before.tasks);
    expect(await deadLetters()).toEqual(noDeadLetters());
  });
});
