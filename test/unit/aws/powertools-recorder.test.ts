import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PowertoolsOutcomeRecorder } from '../../../lib/aws/powertools-recorder';

describe('PowertoolsOutcomeRecorder', () => {
  it('logs the outcome with the update id as correlation id and emits an outcome metric', () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    // Warnings go to stderr, EMF and info to stdout.
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    const recorder = new PowertoolsOutcomeRecorder(
      new Logger({ serviceName: 'test', logLevel: 'INFO' }),
      new Metrics({ namespace: 'Test', serviceName: 'test' }),
      'Task',
    );

    try {
      recorder.record({
        messageId: 'm-1',
        updateId: 'u-1',
        outcome: 'rejected',
        reason: 'inactive-label',
        detail: 'labels[0] is an inactive label',
        subject: { taskId: 'update:u-1' },
      });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }

    const records = lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'WARN',
          correlation_id: 'u-1',
          messageId: 'm-1',
          outcome: 'rejected',
          reason: 'inactive-label',
          taskId: 'update:u-1',
        }),
        expect.objectContaining({
          outcome: 'rejected',
          reason: 'inactive-label',
          UpdateRecords: 1,
        }),
      ]),
    );
  });
});
