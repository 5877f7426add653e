import { createTaskPayload, Protocol, type ProtocolMeta, ProtocolResult } from '../../../lib';
import {
  type PatientRecord,
  recomputeSegment,
  type SegmentBudget,
  SILENT_LOG,
  segmentJobs,
} from '../../../lib/compute';
import { type ComputeJob, ComputeJobSchema } from '../../../schemas';
import {
  QUEUE_URLS,
  type RecordedRequest,
  RecordingSqs,
  recordedUpdateQueue,
} from '../aws/recording-sqs';
import {
  GroupEveryone,
  InMemoryJobQueue,
  InMemoryPatientSource,
  InMemoryUpdateQueue,
  patientNamed,
  recordingLog,
  ThrowsForOnePatient,
  TwoTasks,
} from './fakes';

const run = { runId: 'run-1', computedAt: new Date('2024-03-01T06:00:00Z') };
const keys = Array.from({ length: 23 }, (_, i) => `p${String(i).padStart(2, '0')}`);
const plenty = () => 900_000;

function setup(records?: PatientRecord[]) {
  return {
    patients: records ? new InMemoryPatientSource(records) : InMemoryPatientSource.of(keys),
    updates: new InMemoryUpdateQueue(),
    jobs: new InMemoryJobQueue(),
  };
}

function segment(
  deps: ReturnType<typeof setup>,
  job: ComputeJob,
  options: { budget?: SegmentBudget; remainingTimeMs?: () => number; log?: typeof SILENT_LOG } = {},
) {
  return recomputeSegment({
    job,
    protocols: [GroupEveryone, TwoTasks],
    ...deps,
    remainingTimeMs: options.remainingTimeMs ?? plenty,
    budget: options.budget ?? { pageSize: 4, reserveMs: 1_000 },
    log: options.log ?? SILENT_LOG,
  });
}

function patientsOf(deps: ReturnType<typeof setup>): string[] {
  return deps.updates.sent
    .filter((u) => u.type === 'Group')
    .map((u) => JSON.parse(u.body).integration_payload.members.entries[0].uuid)
    .sort();
}

describe('recomputeSegment', () => {
  it('covers every patient exactly once across the segments, page by page', async () => {
    const deps = setup();
    let patients = 0;
    for (const job of segmentJobs(run, 3)) {
      const outcome = await segment(deps, job);
      expect(outcome.continuation).toBeUndefined();
      patients += outcome.counts.patients;
    }
    expect(patients).toBe(23);
    expect(patientsOf(deps)).toEqual(keys);
    expect(deps.updates.sent).toHaveLength(23 * 3);
    expect(deps.jobs.sent).toEqual([]);
    expect(deps.patients.pageRequests.every((r) => r.limit === 4)).toBe(true);
  });

  it('stamps every update with the run time and ids unique across the run', async () => {
    const deps = setup();
    for (const job of segmentJobs(run, 2)) await segment(deps, job);
    const ids = deps.updates.sent.map((u) => u.attributes['update-id']?.StringValue);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(deps.updates.sent.map((u) => u.attributes['computed-at']?.StringValue))).toEqual(
      new Set(['2024-03-01T06:00:00.000Z']),
    );
  });

  it('enqueues a continuation job when the time budget runs short, and nothing is skipped', async () => {
    const deps = setup();
    const [first] = segmentJobs(run, 1);
    // 2 pages fit in each invocation: remaining time drops below the reserve after the second.
    const invocation = () => {
      let pages = 0;
      return () => (++pages >= 2 ? 500 : 60_000);
    };
    let job: ComputeJob | undefined = first;
    const continuations: ComputeJob[] = [];
    while (job) {
      const outcome = await segment(deps, job, { remainingTimeMs: invocation() });
      expect(outcome.pages).toBeLessThanOrEqual(2);
      job = outcome.continuation;
      if (job) continuations.push(job);
    }

    // 23 patients, 4 per page: 6 pages, 2 per invocation: 3 invocations, 2 continuations.
    expect(continuations).toHaveLength(2);
    expect(deps.jobs.sent).toEqual(continuations);
    expect(continuations.map((c) => [c.continuation, c.startKey])).toEqual([
      [1, { patientKey: 'p07' }],
      [2, { patientKey: 'p15' }],
    ]);
    for (const c of continuations) {
      expect(ComputeJobSchema.parse(c)).toMatchObject({ runId: 'run-1', segment: 0 });
    }
    expect(patientsOf(deps)).toEqual(keys);
  });

  it('keeps twice the slowest page in hand: a slow page ends the job earlier', async () => {
    const deps = setup();
    let clock = 0;
    const [job] = segmentJobs(run, 1);
    const outcome = await recomputeSegment({
      job: job as ComputeJob,
      protocols: [GroupEveryone],
      ...deps,
      // Each page takes 10 s of the (fake) clock. 15 s remain: more than the 1 s reserve, less
      // than the reserve plus two slow pages.
      nowMs: () => {
        clock += 10_000;
        return clock;
      },
      remainingTimeMs: () => 15_000,
      budget: { pageSize: 4, reserveMs: 1_000 },
      log: SILENT_LOG,
    });
    expect(outcome.pages).toBe(1);
    expect(outcome.continuation?.startKey).toEqual({ patientKey: 'p03' });
  });

  it('counts and logs an invalid patient record by key, and computes the rest', async () => {
    const records: PatientRecord[] = [
      { kind: 'valid', patientKey: 'a', patient: patientNamed('a') },
      { kind: 'invalid', patientKey: 'bad', problems: 'patient.birthDate: must be a real date' },
      { kind: 'valid', patientKey: 'c', patient: patientNamed('c') },
    ];
    const deps = setup(records);
    const { log, warnings } = recordingLog();
    const [job] = segmentJobs(run, 1);
    const outcome = await segment(deps, job as ComputeJob, { log });

    expect(outcome.counts).toMatchObject({ patients: 2, invalidPatients: 1 });
    expect(warnings).toEqual([
      {
        message: 'invalid patient record skipped',
        fields: { patientKey: 'bad', problems: 'patient.birthDate: must be a real date' },
      },
    ]);
  });

  it('one protocol throwing for one patient never stops the run', async () => {
    const deps = setup(
      ['a', 'explodes', 'c'].map((key) => ({
        kind: 'valid',
        patientKey: key,
        patient: patientNamed(key),
      })),
    );
    const [job] = segmentJobs(run, 1);
    const outcome = await recomputeSegment({
      job: job as ComputeJob,
      protocols: [ThrowsForOnePatient, GroupEveryone],
      ...deps,
      remainingTimeMs: plenty,
      budget: { pageSize: 2, reserveMs: 1_000 },
      log: SILENT_LOG,
    });
    expect(outcome.counts).toMatchObject({ patients: 3, protocolRuns: 6, computed: 5, failed: 1 });
    expect(outcome.counts.updates.Group).toBe(5);
    expect(deps.updates.sent).toHaveLength(5);
  });

  it('fails the job when enqueueing fails (SQS redelivers it; nothing dropped silently)', async () => {
    const deps = setup();
    deps.updates.enqueue = async () => {
      throw new Error('SQS entries still failed after 5 attempts');
    };
    const [job] = segmentJobs(run, 1);
    await expect(segment(deps, job as ComputeJob)).rejects.toThrow('still failed');
  });
});

/** A reminder-like task for 7 patients of every 13 (`q000`..: those whose number mod 13 is < 7). */
class TaskForSevenOfThirteen extends Protocol {
  static readonly meta: ProtocolMeta = {
    key: 'task-for-seven-of-thirteen',
    title: 'Task for seven of thirteen',
    version: '1.0.0',
    description: 'test',
    types: ['Task'],
    computeOnChangeTypes: [],
  };
  computeResults(): ProtocolResult {
    const patientKey = this.patient.patient.key;
    if (Number(patientKey.slice(1)) % 13 < 7)
      this.setUpdates([
        createTaskPayload({ patientKey, createdByKey: 'staff-1', title: 'Remind', dedupeKey: 'r' }),
      ]);
    return new ProtocolResult();
  }
}

describe('recomputeSegment: whole SendMessageBatch batches across pages', () => {
  // 5 pages of 13 patients, each page 13 Group + 7 Task updates: 65 Group, 35 Task in all.
  const PAGE = 13;
  const pageKeys = Array.from({ length: 5 * PAGE }, (_, i) => `q${String(i).padStart(3, '0')}`);
  const minimalRequests = Math.ceil(65 / 10) + Math.ceil(35 / 10);

  /** The patient each body is for, request by request (the keys appear nowhere else). */
  const patientsIn = (requests: readonly RecordedRequest[]) =>
    requests.flatMap((r) => r.bodies.map((body) => body.match(/q\d{3}/)?.[0]));
  const sizes = (requests: readonly RecordedRequest[]) => requests.map((r) => r.bodies.length);

  /** Records, at each continuation job, how many update requests had been made before it. */
  class JobsAfterRequests extends InMemoryJobQueue {
    readonly requestsBefore: number[] = [];
    constructor(private readonly sqs: RecordingSqs) {
      super();
    }
    override async enqueue(jobs: readonly ComputeJob[]): Promise<void> {
      this.requestsBefore.push(this.sqs.requests.length);
      await super.enqueue(jobs);
    }
  }

  function sqsSetup(sqs = new RecordingSqs()) {
    return {
      sqs,
      patients: InMemoryPatientSource.of(pageKeys),
      updates: recordedUpdateQueue(sqs).queue,
      jobs: new JobsAfterRequests(sqs),
    };
  }

  function recompute(deps: ReturnType<typeof sqsSetup>, job: ComputeJob, remainingTimeMs = plenty) {
    return recomputeSegment({
      job,
      protocols: [GroupEveryone, TaskForSevenOfThirteen],
      patients: deps.patients,
      updates: deps.updates,
      jobs: deps.jobs,
      remainingTimeMs,
      budget: { pageSize: PAGE, reserveMs: 1_000 },
      log: SILENT_LOG,
    });
  }

  it('sends the fewest requests a segment can: full batches, one partial batch per type', async () => {
    // Arrange
    const deps = sqsSetup();
    const [job] = segmentJobs(run, 1);

    // Act
    const outcome = await recompute(deps, job as ComputeJob);

    // Assert: 7 + 4 requests, where a partial batch per page and type would have made 15.
    expect(outcome.pages).toBe(5);
    expect(outcome.counts.updates).toMatchObject({ Group: 65, Task: 35 });
    expect(deps.sqs.requests).toHaveLength(minimalRequests);
    expect(sizes(deps.sqs.requestsTo(QUEUE_URLS.Group))).toEqual([10, 10, 10, 10, 10, 10, 5]);
    expect(sizes(deps.sqs.requestsTo(QUEUE_URLS.Task))).toEqual([10, 10, 10, 5]);
    // Nothing lost or repeated, each type in patient order.
    expect(patientsIn(deps.sqs.requestsTo(QUEUE_URLS.Group))).toEqual(pageKeys);
    expect(patientsIn(deps.sqs.requestsTo(QUEUE_URLS.Task))).toEqual(
      pageKeys.filter((_, i) => i % PAGE < 7),
    );
  });

  it('flushes what it holds before each continuation job, and at the end', async () => {
    // Arrange: 2 pages per invocation (the remaining time runs short after the second).
    const deps = sqsSetup();
    const invocation = () => {
      let pages = 0;
      return () => (++pages >= 2 ? 500 : 60_000);
    };
    let job: ComputeJob | undefined = segmentJobs(run, 1)[0];

    // Act
    const counts = [];
    while (job) {
      const outcome = await recompute(deps, job, invocation());
      counts.push(outcome.counts.updates);
      job = outcome.continuation;
    }

    // Assert: 3 invocations (pages 1-2, 3-4, 5); before each continuation, every update of the
    // invocation's pages was sent: 26 Group and 14 Task after pages 1-2, 52 and 28 after 3-4.
    expect(deps.jobs.sent.map((c) => c.continuation)).toEqual([1, 2]);
    const [first = 0, second = 0] = deps.jobs.requestsBefore;
    const sentUpTo = (requests: number) => patientsIn(deps.sqs.requests.slice(0, requests)).sort();
    const updatesOfPages = (pages: number) => {
      const keys = pageKeys.slice(0, pages * PAGE);
      return [...keys, ...keys.filter((_, i) => i % PAGE < 7)].sort();
    };
    expect(sentUpTo(first)).toEqual(updatesOfPages(2));
    expect(sentUpTo(second)).toEqual(updatesOfPages(4));
    // Per invocation: full batches plus one partial batch per type.
    expect(first).toBe(3 + 2);
    expect(second - first).toBe(3 + 2);
    expect(patientsIn(deps.sqs.requests)).toHaveLength(65 + 35);
    expect(counts.map((c) => [c.Group, c.Task])).toEqual([
      [26, 14],
      [26, 14],
      [13, 7],
    ]);
  });

  it('a failing send fails the job, and no continuation is enqueued after a failed flush', async () => {
    // Arrange: SQS refuses every partial batch, which only the flushes send.
    const deps = sqsSetup(
      new RecordingSqs((r) => (r.bodies.length < 10 ? new Error('AccessDenied') : undefined)),
    );
    const [job] = segmentJobs(run, 1);

    // Act
    const outcome = recompute(deps, job as ComputeJob, () => 500);

    // Assert
    await expect(outcome).rejects.toThrow('AccessDenied');
    expect(deps.jobs.sent).toEqual([]);
  });
});
