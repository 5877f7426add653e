import type { Context } from 'aws-lambda';
import {
  type ComputeJobDeps,
  type ComputeJobRefused,
  processComputeJobBatch,
  type SegmentComputed,
} from '../../../lib/compute';
import { sqsRecord } from '../../support/apply-fakes';
import {
  failingUpdateQueue,
  GroupEveryone,
  InMemoryJobQueue,
  InMemoryPatientSource,
  InMemoryUpdateQueue,
  RecordingComputeRecorder,
} from './fakes';

// The segment function's record handling over the ports, with in-memory fakes (no I/O).

const job = {
  runId: 'run-1',
  computedAt: '2024-03-01T06:00:00.000Z',
  segment: 0,
  totalSegments: 1,
};

function contextWith(remainingMs: number): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as Context;
}

function deps(overrides: Partial<ComputeJobDeps> = {}) {
  const recorder = new RecordingComputeRecorder();
  const updates = new InMemoryUpdateQueue();
  const jobs = new InMemoryJobQueue();
  return {
    recorder,
    updates,
    jobs,
    deps: {
      protocols: [GroupEveryone],
      patients: InMemoryPatientSource.of(['p1', 'p2', 'p3']),
      updates,
      jobs,
      budget: { pageSize: 2, reserveMs: 1_000 },
      recorder,
      ...overrides,
    } satisfies ComputeJobDeps,
  };
}

describe('processComputeJobBatch', () => {
  it('computes the segment and records its summary with the counts', async () => {
    const { recorder, updates, deps: d } = deps();
    const response = await processComputeJobBatch(
      { Records: [sqsRecord(job)] },
      d,
      contextWith(300_000),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(updates.sent).toHaveLength(3);
    const [summary] = recorder.of('segmentComputed').map(([s]) => s as SegmentComputed);
    expect(summary).toMatchObject({
      runId: 'run-1',
      segment: 0,
      totalSegments: 1,
      continuation: 0,
      reassert: false,
      continued: false,
      pages: 2,
      counts: { patients: 3, updates: { Group: 3 } },
    });
    expect(recorder.calls.at(-1)?.kind).toBe('publish');
  });

  it('continues a segment the remaining time cannot finish, and says so', async () => {
    const { recorder, jobs, deps: d } = deps();
    await processComputeJobBatch({ Records: [sqsRecord(job)] }, d, contextWith(500));
    expect(jobs.sent).toEqual([expect.objectContaining({ runId: 'run-1', continuation: 1 })]);
    expect(recorder.of('segmentComputed')[0]?.[0]).toMatchObject({ continued: true, pages: 1 });
  });

  it('refuses a job that is not JSON or not a job, naming fields only, and reports it failed', async () => {
    const { recorder, deps: d } = deps();
    const notJson = sqsRecord('{"runId": ');
    const notAJob = sqsRecord({ ...job, segment: 'Jane Doe' });
    const response = await processComputeJobBatch(
      { Records: [notJson, notAJob] },
      d,
      contextWith(300_000),
    );

    expect(response.batchItemFailures).toHaveLength(2);
    const refusals = recorder.of('jobRefused').map(([r]) => r as ComputeJobRefused);
    expect(refusals).toEqual(
      expect.arrayContaining([
        { messageId: notJson.messageId, detail: 'compute job: body is not JSON' },
        { messageId: notAJob.messageId, detail: expect.stringMatching(/^compute job: .*segment/) },
      ]),
    );
    expect(JSON.stringify(recorder.calls)).not.toContain('Jane Doe');
    expect(recorder.of('segmentComputed')).toEqual([]);
  });

  it('records a failed send with the job identity and the error, and reports it failed', async () => {
    const failure = new Error('queue down');
    const { recorder, deps: d } = deps({ updates: failingUpdateQueue(failure) });
    const record = sqsRecord({ ...job, continuation: 2 });
    const response = await processComputeJobBatch({ Records: [record] }, d, contextWith(300_000));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(recorder.of('jobFailed')).toEqual([
      [
        {
          messageId: record.messageId,
          receiveCount: '1',
          runId: 'run-1',
          segment: 0,
          totalSegments: 1,
          continuation: 2,
        },
        failure,
      ],
    ]);
    expect(recorder.of('publish')).toHaveLength(1);
  });
});
