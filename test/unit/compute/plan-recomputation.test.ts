import {
  DEFAULT_SEGMENT_POLICY,
  planRecomputation,
  planScheduledRecomputation,
  segmentCountFor,
  segmentJobs,
} from '../../../lib/compute';
import { ComputeJobSchema } from '../../../schemas';
import { InMemoryJobQueue, RecordingComputeRecorder } from './fakes';

const policy = { patientsPerSegment: 10_000, minSegments: 1, maxSegments: 10_000 };

describe('segmentCountFor', () => {
  it('sizes segments from the approximate count', () => {
    expect(segmentCountFor(1_000_000, policy)).toBe(100);
    expect(segmentCountFor(1_000_001, policy)).toBe(101);
    expect(segmentCountFor(9_999, policy)).toBe(1);
  });

  it('uses at least one segment (a new table reports ItemCount 0 for hours)', () => {
    expect(segmentCountFor(0, policy)).toBe(1);
    expect(segmentCountFor(0, { ...policy, minSegments: 8 })).toBe(8);
  });

  it('caps at maxSegments and at DynamoDB limit', () => {
    expect(segmentCountFor(1e9, { ...policy, maxSegments: 500 })).toBe(500);
    expect(segmentCountFor(1e12, { ...policy, patientsPerSegment: 1, maxSegments: 2e6 })).toBe(
      1_000_000,
    );
  });

  it('defaults to 10,000 patients per segment', () => {
    expect(DEFAULT_SEGMENT_POLICY.patientsPerSegment).toBe(10_000);
  });
});

describe('planRecomputation', () => {
  it('enqueues one valid job per segment, all with the run id and time', async () => {
    const jobs = new InMemoryJobQueue();
    const computedAt = new Date('2024-03-01T06:00:00Z');
    const plan = await planRecomputation({
      run: { runId: 'run-1', computedAt },
      counter: { approximatePatientCount: async () => 25_000 },
      jobs,
      policy,
    });

    expect(plan).toEqual({ approximatePatients: 25_000, totalSegments: 3 });
    expect(jobs.sent).toEqual(
      [0, 1, 2].map((segment) => ({
        runId: 'run-1',
        computedAt: '2024-03-01T06:00:00.000Z',
        segment,
        totalSegments: 3,
      })),
    );
    for (const job of jobs.sent) expect(ComputeJobSchema.safeParse(job).success).toBe(true);
  });
});

describe('planScheduledRecomputation', () => {
  const counter = { approximatePatientCount: async () => 25_000 };

  it('runs as the schedule event says: its id, its time; records the plan and publishes', async () => {
    const jobs = new InMemoryJobQueue();
    const recorder = new RecordingComputeRecorder();
    const plan = await planScheduledRecomputation(
      { id: 'tick-9', time: '2024-03-01T06:00:00Z' },
      { counter, jobs, policy, recorder },
    );

    expect(plan).toEqual({ runId: 'tick-9', approximatePatients: 25_000, totalSegments: 3 });
    expect(jobs.sent.map((job) => [job.runId, job.computedAt, job.reassert])).toEqual([
      ['tick-9', '2024-03-01T06:00:00.000Z', undefined],
      ['tick-9', '2024-03-01T06:00:00.000Z', undefined],
      ['tick-9', '2024-03-01T06:00:00.000Z', undefined],
    ]);
    expect(recorder.calls.map((call) => call.kind)).toEqual(['planned', 'publish']);
    expect(recorder.of('planned')[0]?.[0]).toEqual({
      runId: 'tick-9',
      computedAt: '2024-03-01T06:00:00.000Z',
      reassert: false,
      approximatePatients: 25_000,
      totalSegments: 3,
    });
  });

  it('without an id or a valid time: a fresh run id and now; reassert only when asked', async () => {
    const jobs = new InMemoryJobQueue();
    const before = Date.now();
    const plan = await planScheduledRecomputation(
      { time: 'not a time', reassert: true },
      { counter, jobs, policy, recorder: new RecordingComputeRecorder() },
    );

    expect(plan.runId).toMatch(/^[0-9a-f-]{36}$/);
    const computedAt = Date.parse(jobs.sent[0]?.computedAt ?? '');
    expect(computedAt).toBeGreaterThanOrEqual(before);
    expect(computedAt).toBeLessThanOrEqual(Date.now());
    expect(jobs.sent.every((job) => job.reassert === true)).toBe(true);
  });
});

describe('ComputeJobSchema', () => {
  const [job] = segmentJobs({ runId: 'r', computedAt: new Date('2024-03-01T06:00:00Z') }, 2);

  it('accepts a continuation with a start key', () => {
    expect(
      ComputeJobSchema.safeParse({ ...job, startKey: { patientKey: 'p9' }, continuation: 1 })
        .success,
    ).toBe(true);
  });

  it('refuses a segment outside totalSegments, a time without offset, unknown keys', () => {
    expect(ComputeJobSchema.safeParse({ ...job, segment: 2 }).success).toBe(false);
    expect(ComputeJobSchema.safeParse({ ...job, computedAt: '2024-03-01T06:00:00' }).success).toBe(
      false,
    );
    expect(ComputeJobSchema.safeParse({ ...job, extra: 1 }).success).toBe(false);
  });
});
