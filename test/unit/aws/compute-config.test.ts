import {
  parseDuration,
  readChangeComputeConfig,
  readSegmentComputeConfig,
} from '../../../lib/aws/compute-config';
import { DEFAULT_REASSERT_AFTER_MS } from '../../../lib/compute';

const QUEUES = {
  GROUP_QUEUE_URL: 'g',
  TASK_QUEUE_URL: 't',
  TASK_UPDATE_QUEUE_URL: 'l',
  TASK_COMMENT_QUEUE_URL: 'c',
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
    for (const raw of ['24', '1w', '-1h', '0h', 'h'])
      expect(() => parseDuration('REASSERT_AFTER', raw)).toThrow(
        'environment variable REASSERT_AFTER must be a duration such as 24h, 90m, 3600s or 1d',
      );
    expect(parseDuration('REASSERT_AFTER', '1d')).toBe(86_400_000);
    expect(parseDuration('REASSERT_AFTER', '3600s')).toBe(3_600_000);
  });
});
