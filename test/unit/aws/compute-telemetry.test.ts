import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  COMPUTE_SUMMARY_MESSAGES,
  PowertoolsComputeRecorder,
} from '../../../lib/aws/compute-telemetry';
import { SqsSendError } from '../../../lib/aws/sqs-batch-sender';
import { emptyCounts } from '../../../lib/compute';
import { captureOutput } from '../../support/reliability';

/** Runs `record` against a fresh Powertools recorder; every JSON line it wrote (stdout, stderr). */
function linesOf(record: (recorder: PowertoolsComputeRecorder) => void) {
  const output = captureOutput();
  try {
    record(
      new PowertoolsComputeRecorder(
        new Logger({ serviceName: 'test', logLevel: 'INFO' }),
        new Metrics({ namespace: 'Test', serviceName: 'test' }),
      ),
    );
  } finally {
    output.restore();
  }
  return output.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('PowertoolsComputeRecorder', () => {
  it('logs a segment summary with its counts and publishes the counts as EMF once', () => {
    const counts = { ...emptyCounts(), patients: 7 };
    counts.updates.Group = 7;
    const lines = linesOf((recorder) => {
      recorder.segmentComputed({
        runId: 'r',
        segment: 1,
        totalSegments: 2,
        continuation: 0,
        reassert: false,
        continued: true,
        pages: 3,
        durationMs: 12,
        counts,
      });
      recorder.publish();
    });

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: COMPUTE_SUMMARY_MESSAGES.segmentComputed,
        runId: 'r',
        continued: true,
        counts: expect.objectContaining({ patients: 7 }),
      }),
      expect.objectContaining({
        _aws: expect.anything(),
        PatientsComputed: 7,
        GroupUpdatesEnqueued: 7,
        SegmentPages: 3,
        ContinuationJobs: 1,
      }),
    ]);
  });

  it('counts a rejected change by reason at once; a failure logs only a foreign error name', () => {
    const lines = linesOf((recorder) => {
      recorder.changeRejected({
        messageId: 'm-1',
        receiveCount: '2',
        reason: 'unknown-patient',
        detail: 'no such patient',
      });
      recorder.jobFailed({ messageId: 'm-2' }, new TypeError('quoting Jane Doe'));
      recorder.jobFailed({ messageId: 'm-3' }, new SqsSendError('update abc (InternalError)', []));
      recorder.publish();
    });

    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'WARN', messageId: 'm-1', reason: 'unknown-patient' }),
        expect.objectContaining({ reason: 'unknown-patient', ChangeEventsRejected: 1 }),
        expect.objectContaining({ level: 'ERROR', messageId: 'm-2', errorName: 'TypeError' }),
        expect.objectContaining({
          level: 'ERROR',
          messageId: 'm-3',
          errorName: 'SqsSendError',
          error: 'update abc (InternalError)',
        }),
        expect.objectContaining({ ComputeJobsFailed: [1, 1] }),
      ]),
    );
    expect(JSON.stringify(lines)).not.toContain('Jane Doe');
  });
});
