import { z } from 'zod';
import { benchPatientInput } from '../../bench/synthetic-patients';
import { DEFAULT_SEGMENT_BUDGET } from '../../lib/compute';
import { PROTOCOLS } from '../../protocols';
import { runTsxScript } from '../support/run-tsx-script';

jest.setTimeout(180_000);

const PATIENTS = 120;
const UPDATES = 150;

const rate = z.number().positive();
const count = z.number().int().nonnegative();

/** The `--json` line of issue 5, exactly: no missing and no extra fields. */
const BenchResultSchema = z.strictObject({
  apply: z.strictObject({
    messagesPerSecond: rate,
    rawWritesPerSecond: rate,
    ratio: rate,
    wcuPerMembership: z.number(),
    wcuPerTask: z.number(),
    wcuPerTaskSteady: z.number().nonnegative(),
    rcuPerTaskSteady: z.number().nonnegative(),
  }),
  peer: z.strictObject({
    messagesPerSecond: rate,
    wcuPerMembership: z.number().positive(),
    throughputRatio: rate,
  }),
  enqueue: z.strictObject({
    payloads: count,
    sqsRequests: count,
    requestsPerPayload: z.number().nonnegative(),
  }),
  compute: z.strictObject({
    evaluationsPerSecond: rate,
    evaluationsPerCoreSecond: rate,
    patients: count,
    protocols: count,
    peakRssMb: rate,
  }),
  endToEnd: z.strictObject({
    messagesPerSecond: rate,
    p50Ms: z.number().nonnegative(),
    p99Ms: z.number().nonnegative(),
  }),
  steadyState: z.strictObject({
    patients: count,
    sqsRequestsPerPatient: z.number().nonnegative(),
    writeUnitsPerPatient: z.number().nonnegative(),
    readUnitsPerPatient: z.number().positive(),
  }),
});

const runBench = (args: string[]) => runTsxScript('bench/run.ts', args);

/**
 * The bench patients' appointments (all confirmed, in 2035): on a scheduled run the reminder
 * sends a task for each one that has not started.
 */
const UPCOMING_APPOINTMENTS = Array.from(
  { length: PATIENTS },
  (_, i) => benchPatientInput(i + 1).upcomingAppointments ?? [],
)
  .flat()
  .filter((a) => Date.parse(a.startTime) > Date.now()).length;

describe('npm run bench -- --json --quick', () => {
  it('prints one JSON line with every figure, consistent with the sizes asked for', async () => {
    const { code, stdout, stderr } = await runBench([
      '--json',
      '--quick',
      '--patients',
      String(PATIENTS),
      '--updates',
      String(UPDATES),
    ]);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const lines = stdout.trim().split('\n');
    // stdout is the report alone: progress goes to stderr.
    expect(lines).toHaveLength(1);
    const result = BenchResultSchema.parse(JSON.parse(lines[0] ?? ''));

    // Sizes: every generated patient computed once per protocol, one segment of all of them.
    expect(result.compute).toMatchObject({ patients: PATIENTS, protocols: PROTOCOLS.length });
    // A scheduled recomputation sends one group update per patient and one reminder task per
    // upcoming appointment (docs/scaling.md).
    expect(UPCOMING_APPOINTMENTS).toBeGreaterThan(0);
    expect(result.enqueue.payloads).toBe(PATIENTS + UPCOMING_APPOINTMENTS);
    // Batches of 10 per message type (one queue each): the segment carries each type's partial
    // batch from page to page, so it makes full batches plus at most one partial batch per type
    // for the whole segment (Group, Task), whatever the number of pages. The bodies are far below
    // 1 MiB per 10, local SQS fails no entry: the fewest requests possible, exactly.
    expect(PATIENTS).toBeGreaterThan(DEFAULT_SEGMENT_BUDGET.pageSize);
    expect(result.enqueue.sqsRequests).toBe(
      Math.ceil(PATIENTS / 10) + Math.ceil(UPCOMING_APPOINTMENTS / 10),
    );
    expect(result.enqueue.requestsPerPayload).toBeCloseTo(
      result.enqueue.sqsRequests / result.enqueue.payloads,
      3,
    );

    // Write units depend on item sizes and indexes, not on the machine: whole units, the same
    // for every steady-state update; a task is one transaction (2 units per item, 2+ items).
    // A steady-state confirmation writes the table only (the byPatient index projects state alone).
    expect(result.apply.wcuPerMembership).toBe(1);
    expect(Number.isInteger(result.apply.wcuPerTask)).toBe(true);
    expect(result.apply.wcuPerTask).toBeGreaterThanOrEqual(4);
    expect(result.apply.wcuPerTask % 2).toBe(0);

    // A re-sent task whose task exists: one consistent read of an item under 4 KB, no write.
    expect(result.apply.wcuPerTaskSteady).toBe(0);
    expect(result.apply.rcuPerTaskSteady).toBe(1);
    // The peer on the same updates: its idempotency record (written INPROGRESS, then COMPLETED)
    // on top of the membership write, so at least twice ours, in whole units.
    expect(Number.isInteger(result.peer.wcuPerMembership)).toBe(true);
    expect(result.peer.wcuPerMembership).toBeGreaterThanOrEqual(2 * result.apply.wcuPerMembership);
    expect(result.peer.throughputRatio).toBeCloseTo(
      result.apply.messagesPerSecond / result.peer.messagesPerSecond,
      1,
    );

    expect(result.apply.ratio).toBeCloseTo(
      result.apply.messagesPerSecond / result.apply.rawWritesPerSecond,
      1,
    );
    expect(result.endToEnd.p99Ms).toBeGreaterThanOrEqual(result.endToEnd.p50Ms);

    // The second scheduled run, nothing changed: the planner's one job message is the only SQS
    // request, nothing is written; the reads are the Scan and the stored results.
    expect(result.steadyState.patients).toBe(PATIENTS);
    expect(result.steadyState.sqsRequestsPerPatient).toBeCloseTo(1 / PATIENTS, 4);
    expect(result.steadyState.writeUnitsPerPatient).toBe(0);
  });

  it('refuses an invalid size with a message and a non-zero exit, starting nothing', async () => {
    const { code, stderr } = await runBench(['--json', '--patients', '0']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--patients.*must be an integer/);
  });
});
