import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type OfflineStack, startOfflineStack } from '../../local/offline-stack';
import {
  addComputeTotals,
  type ComputeTotals,
  computeCountsOfLine,
  emptyComputeTotals,
  UPDATE_TYPES,
  waitUntilDrained,
} from '../../local/run-metrics';
import { demoAppointmentId, demoPatientKey, hasActiveDiabetes } from '../../local/seed-demo-data';
import { DIABETES_CARE_GROUP_ID } from '../../protocols/diabetes-care-group';

jest.setTimeout(180_000);

const PATIENTS = 6;

/**
 * End to end through serverless-offline: the real functions (bundled by serverless-esbuild), the
 * local SQS event source, DynamoDB Local. One stack for the whole file; the tests run in order.
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

  it('puts every seeded patient in or out of the diabetes care group', async () => {
    const counts = await scheduledRecomputation();
    expect(counts).toEqual({
      patients: PATIENTS,
      protocolRuns: PATIENTS * 2,
      // No change: the appointment reminder sends nothing; the group protocol one update each.
      updates: { Group: PATIENTS, Task: 0, TaskUpdate: 0, TaskComment: 0 },
    });

    const memberships = await scan('MembershipsTable');
    expect(memberships).toHaveLength(PATIENTS);
    for (let i = 1; i <= PATIENTS; i++) {
      const membership = memberships.find((m) => m.patientKey === demoPatientKey(i));
      expect(membership).toMatchObject({
        groupId: DIABETES_CARE_GROUP_ID,
        active: hasActiveDiabetes(i),
      });
    }
    expect(await scan('TasksTable')).toEqual([]);
  });

  it('recomputes only the protocols a change event impacts', async () => {
    const patientKey = demoPatientKey(3);
    const appointmentId = demoAppointmentId(3);
    const created = {
      patient_key: patientKey,
      model_name: 'appointment',
      created: true,
      deleted: false,
      fields: {},
      canvas_id: appointmentId,
      external_id: null,
    };
    // appointment: the reminder runs, the diabetes group (condition, patient) does not.
    expect(await sendChange(created)).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 0, Task: 1, TaskUpdate: 0, TaskComment: 0 },
    });
    const tasks = await scan('TasksTable');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ patientKey, status: 'OPEN', labels: ['Urgent'] });
    expect(await scan('LabelsTable')).toHaveLength(1);

    // condition: the other way round.
    expect(
      await sendChange({ ...created, model_name: 'condition', canvas_id: 'demo-cond-0003' }),
    ).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 1, Task: 0, TaskUpdate: 0, TaskComment: 0 },
    });

    // The same appointment change again: sent again, applied as the same task.
    expect((await sendChange(created)).updates).toEqual({
      Group: 0,
      Task: 1,
      TaskUpdate: 0,
      TaskComment: 0,
    });
    expect(await scan('TasksTable')).toHaveLength(1);

    // The appointment is cancelled: the reminder sends a TaskUpdate that closes its task.
    expect(
      await sendChange({
        ...created,
        created: false,
        fields: { status: ['confirmed', 'cancelled'] },
      }),
    ).toEqual({
      patients: 1,
      protocolRuns: 2,
      updates: { Group: 0, Task: 0, TaskUpdate: 1, TaskComment: 0 },
    });
    const closed = await scan('TasksTable');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ patientKey, status: 'CLOSED', revision: 1 });
  });

  it('changes nothing on a second recomputation', async () => {
    const before = {
      memberships: await scan('MembershipsTable'),
      tasks: await scan('TasksTable'),
    };
    const counts = await scheduledRecomputation();
    expect(counts.updates).toEqual({ Group: PATIENTS, Task: 0, TaskUpdate: 0, TaskComment: 0 });

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
    expect(await scan('TasksTable')).toEqual(before.tasks);
    // Nothing was dead-lettered on the way.
    const { Count } = await stack.documents.send(
      new QueryCommand({
        TableName: stack.resources.tables.MembershipsTable,
        KeyConditionExpression: 'groupId = :g',
        ExpressionAttributeValues: { ':g': DIABETES_CARE_GROUP_ID },
        Select: 'COUNT',
      }),
    );
    expect(Count).toBe(PATIENTS);
  });
});
