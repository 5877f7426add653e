import {
  readChangeComputeConfig,
  readPlannerConfig,
  readSegmentComputeConfig,
} from '../../../lib/aws/compute-config';
import { DEFAULT_REASSERT_AFTER_MS } from '../../../lib/compute';

const QUEUES = {
  GROUP_QUEUE_URL: 'g',
  TASK_QUEUE_URL: 't',
  TASK_UPDATE_QUEUE_URL: 'l',
  TASK_COMMENT_QUEUE_URL: 'c',
  TASK_METADATA_QUEUE_URL: 'm',
};

describe('compute config: the protocol results table and reassertAfter', () => {
  it('reads PROTOCOL_RESULTS_TABLE and REASSERT_AFTER (default 24 h)', () => {
    const env = { PATIENTS_TABLE: 'p', PROTOCOL_RESULTS_TABLE: 'r', COMPUTE_JOBS_QUEUE_URL: 'j' };
    expect(readSegmentComputeConfig({ ...env, ...QUEUES })).toMatchObject({
      protocolResultsTable: 'r',
      reassertAfterMs: DEFAULT_REASSERT_AFTER_MS,
    });
    expect(readChangeComputeConfig({ ...env, ...QUEUES, REASSERT_AFTER: '90m' })).toMatchObject({
      protocolResultsTable: 'r',
      reassertAfterMs: 90 * 60_000,
    });
    expect(DEFAULT_REASSERT_AFTER_MS).toBe(24 * 3_600_000);
  });

  it('names a missing results table and a malformed duration', () => {
    expect(() => readChangeComputeConfig({ PATIENTS_TABLE: 'p', ...QUEUES })).toThrow(
      'missing environment variables: PROTOCOL_RESULTS_TABLE',
    );
    const env = { PATIENTS_TABLE: 'p', PROTOCOL_RESULTS_TABLE: 'r', ...QUEUES };
    const reassertAfter = (raw: string) =>
      readChangeComputeConfig({ ...env, REASSERT_AFTER: raw }).reassertAfterMs;
    for (const raw of ['24', '1w', '-1h', '0h', 'h'])
      expect(() => reassertAfter(raw)).toThrow(
        'environment variable REASSERT_AFTER must be a duration such as 24h, 90m, 3600s or 1d',
      );
    expect(reassertAfter('1d')).toBe(86_400_000);
    expect(reassertAfter('3600s')).toBe(3_600_000);
  });
});

describe('compute config: one schema per function', () => {
  const segmentEnv = {
    PATIENTS_TABLE: 'p',
    PROTOCOL_RESULTS_TABLE: 'r',
    COMPUTE_JOBS_QUEUE_URL: 'j',
    ...QUEUES,
  };

  it("reads each message type's queue from its registry variable", () => {
    expect(readSegmentComputeConfig(segmentEnv).updateQueueUrls).toEqual({
      Group: 'g',
      Task: 't',
      TaskUpdate: 'l',
      TaskComment: 'c',
      TaskMetadata: 'm',
    });
  });

  it("names every missing variable at once, in the schema's order", () => {
    expect(() => readSegmentComputeConfig({ PATIENTS_TABLE: 'p', TASK_QUEUE_URL: 't' })).toThrow(
      'missing environment variables: PROTOCOL_RESULTS_TABLE, COMPUTE_JOBS_QUEUE_URL, ' +
        'GROUP_QUEUE_URL, TASK_UPDATE_QUEUE_URL, TASK_COMMENT_QUEUE_URL',
    );
    expect(() => readPlannerConfig({ PATIENTS_TABLE: '' })).toThrow(
      'missing environment variables: PATIENTS_TABLE, COMPUTE_JOBS_QUEUE_URL',
    );
  });

  it("reads the planner's and the segment's numbers, with their defaults", () => {
    expect(
      readPlannerConfig({
        PATIENTS_TABLE: 'p',
        COMPUTE_JOBS_QUEUE_URL: 'j',
        COMPUTE_MIN_SEGMENTS: '4',
      }).segmentPolicy,
    ).toEqual({ patientsPerSegment: 10_000, minSegments: 4, maxSegments: 10_000 });
    expect(
      readSegmentComputeConfig({ ...segmentEnv, COMPUTE_PAGE_SIZE: '25' }).segmentBudget,
    ).toEqual({ pageSize: 25, reserveMs: 30_000 });
    expect(() =>
      readSegmentComputeConfig({ ...segmentEnv, COMPUTE_TIME_RESERVE_MS: '1.5' }),
    ).toThrow('environment variable COMPUTE_TIME_RESERVE_MS must be a positive integer');
  });
});
