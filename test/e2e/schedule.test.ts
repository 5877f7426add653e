import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { COMPUTE_SUMMARY_MESSAGES } from '../../lib/aws/compute-telemetry';
import { type OfflineStack, startOfflineStack } from '../../local/offline-stack';
import {
  addComputeTotals,
  type ComputeTotals,
  computeCountsOfLine,
  deadLetterQueues,
  emptyComputeTotals,
  readDeadLetters,
  waitUntilDrained,
} from '../../local/run-metrics';
import { demoAppointmentId, demoPatientKey } from '../../local/seed-demo-data';
import { reminderDedupeKey } from '../../protocols/appointment-reminder';

jest.setTimeout(180_000);

const PATIENTS = 3;
/** serverless-offline turns `rate(1 minute)` into a cron firing at every minute's start. */
const RATE = 'rate(1 minute)';
const FIRST_TICK_WITHIN_MS = 75_000;

/**
 * The schedule itself, through serverless-offline: nothing invokes the planner here, the
 * `schedule` event of serverless.yml (its rate passed as `npm start --rate` does) fires it. The
 * other e2e tests switch the schedule off and invoke the planner, so their runs are countable.
 */
describe('the recomputation schedule (serverless-offline)', () => {
  let stack: OfflineStack;
  const compute: ComputeTotals = emptyComputeTotals();
  let plannedRuns = 0;

  beforeAll(async () => {
    stack = await startOfflineStack({
      stage: 'e2e-schedule',
      patients: PATIENTS,
      visibilityTimeoutSeconds: 3,
      params: { recomputeRate: RATE },
      onLine: (line) => {
        if (line.includes(`"${COMPUTE_SUMMARY_MESSAGES.planned}"`)) plannedRuns += 1;
        const counts = computeCountsOfLine(line);
        if (counts) addComputeTotals(compute, counts);
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('fires the planner on its own, and the run reaches the tables', async () => {
    const deadline = Date.now() + FIRST_TICK_WITHIN_MS;
    while (compute.patients < PATIENTS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(plannedRuns).toBeGreaterThanOrEqual(1);
    await waitUntilDrained(stack.sqs, stack.resources, { intervalMs: 300, stableChecks: 4 });

    // One scheduled run (a second tick could only come a minute later): every patient once.
    expect(compute.patients).toBe(PATIENTS);
    expect(compute.updates).toMatchObject({ Group: PATIENTS, Task: 1 });
    const scan = async (logicalId: string) =>
      (
        await stack.documents.send(
          new ScanCommand({ TableName: stack.resources.tables[logicalId] }),
        )
      ).Items ?? [];
    expect((await scan('MembershipsTable')).map((m) => m.patientKey).sort()).toEqual(
      [1, 2, 3].map(demoPatientKey),
    );
    expect(await scan('TasksTable')).toEqual([
      expect.objectContaining({
        patientKey: demoPatientKey(3),
        dedupeKey: reminderDedupeKey(String(demoAppointmentId(3))),
        status: 'OPEN',
      }),
    ]);
    for (const { url } of deadLetterQueues(stack.resources)) {
      expect((await readDeadLetters(stack.sqs, url)).total).toBe(0);
    }
  });
});
