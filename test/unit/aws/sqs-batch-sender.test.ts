import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import {
  isTransientSqsError,
  type SendMessageBatchClient,
  SqsBatchSender,
  SqsSendError,
} from '../../../lib/aws/sqs-batch-sender';
import { MessageTooLargeError } from '../../../lib/compute/message-batches';

/**
 * A scripted SQS: local-aws-sqs never answers with partial `Failed` entries, so the sender's
 * retry of failed entries is tested against this fake.
 */
class ScriptedSqs implements SendMessageBatchClient {
  readonly requests: { queueUrl: string; bodies: string[]; ids: string[] }[] = [];
  readonly delivered: string[] = [];
  constructor(
    private readonly script: ((bodies: string[]) => { fail?: string[]; throws?: unknown })[] = [],
  ) {}

  async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
    const entries = command.input.Entries ?? [];
    const bodies = entries.map((e) => e.MessageBody ?? '');
    this.requests.push({
      queueUrl: command.input.QueueUrl ?? '',
      bodies,
      ids: entries.map((e) => e.Id ?? ''),
    });
    const step = this.script.shift()?.(bodies) ?? {};
    if (step.throws) throw step.throws;
    const failing = new Set(step.fail ?? []);
    const failed = entries.filter((e) => failing.has(e.MessageBody ?? ''));
    for (const e of entries)
      if (!failing.has(e.MessageBody ?? '')) this.delivered.push(e.MessageBody ?? '');
    return {
      $metadata: {},
      Successful: [],
      Failed: failed.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    };
  }
}

const noSleep = async () => {};
const bodies = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ body: `m${i}`, label: `u${i}` }));

describe('SqsBatchSender', () => {
  it('sends up to 10 entries per request and counts the requests', async () => {
    const sqs = new ScriptedSqs();
    const sender = new SqsBatchSender({ client: sqs, sleep: noSleep, concurrency: 1 });
    await sender.send('q', bodies(25));
    expect(sqs.requests.map((r) => r.bodies.length)).toEqual([10, 10, 5]);
    expect(sender.requestCount).toBe(3);
    expect(sqs.delivered).toHaveLength(25);
    expect(sqs.requests[0]?.queueUrl).toBe('q');
  });

  it('retries only the Failed entries, with backoff', async () => {
    const sqs = new ScriptedSqs([() => ({ fail: ['m3', 'm7'] }), () => ({ fail: ['m7'] })]);
    const delays: number[] = [];
    const sender = new SqsBatchSender({
      client: sqs,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 1,
      baseDelayMs: 100,
    });
    await sender.send('q', bodies(10));
    expect(sqs.requests.map((r) => r.bodies)).toEqual([
      bodies(10).map((m) => m.body),
      ['m3', 'm7'],
      ['m7'],
    ]);
    expect(sqs.delivered.sort()).toEqual(
      bodies(10)
        .map((m) => m.body)
        .sort(),
    );
    expect(delays).toEqual([100, 200]);
    expect(sender.requestCount).toBe(3);
  });

  it('throws, naming the entries, when an entry still fails after the retries', async () => {
    const sqs = new ScriptedSqs(Array.from({ length: 3 }, () => () => ({ fail: ['m1'] })));
    const sender = new SqsBatchSender({ client: sqs, sleep: noSleep, maxAttempts: 3 });
    const error = await sender.send('q', bodies(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqsSendError);
    expect((error as SqsSendError).message).toBe(
      'SQS entries still failed after 3 attempts: u1 (InternalError)',
    );
    expect(sqs.requests.map((r) => r.bodies)).toEqual([['m0', 'm1'], ['m1'], ['m1']]);
  });

  it('does not retry an entry refused as the sender fault', async () => {
    const sqs = new ScriptedSqs();
    sqs.send = async (command) => ({
      $metadata: {},
      Successful: [],
      Failed: [
        { Id: command.input.Entries?.[0]?.Id, Code: 'InvalidMessageContents', SenderFault: true },
      ],
    });
    const sender = new SqsBatchSender({ client: sqs, sleep: noSleep });
    await expect(sender.send('q', bodies(1))).rejects.toThrow(
      'SQS entries refused as invalid: u0 (InvalidMessageContents)',
    );
    expect(sender.requestCount).toBe(1);
  });

  it('retries a whole request that failed transiently, not one that failed for good', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    const sqs = new ScriptedSqs([() => ({ throws: throttled })]);
    const sender = new SqsBatchSender({ client: sqs, sleep: noSleep });
    await sender.send('q', bodies(3));
    expect(sqs.requests).toHaveLength(2);
    expect(sqs.delivered).toHaveLength(3);

    const denied = Object.assign(new Error('no'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const failing = new ScriptedSqs([() => ({ throws: denied })]);
    await expect(
      new SqsBatchSender({ client: failing, sleep: noSleep }).send('q', bodies(1)),
    ).rejects.toThrow('no');
    expect(failing.requests).toHaveLength(1);
  });

  it('refuses an oversized message before sending anything', async () => {
    const sqs = new ScriptedSqs();
    const sender = new SqsBatchSender({ client: sqs, sleep: noSleep });
    await expect(
      sender.send('q', [{ body: 'ok' }, { body: 'x'.repeat(300_000), label: 'update big' }]),
    ).rejects.toThrow(MessageTooLargeError);
    expect(sqs.requests).toEqual([]);
  });
});

describe('isTransientSqsError', () => {
  it('recognises throttling, 5xx and dropped connections', () => {
    expect(isTransientSqsError({ $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isTransientSqsError({ code: 'ECONNRESET' })).toBe(true);
    expect(isTransientSqsError({ $retryable: {} })).toBe(true);
    expect(
      isTransientSqsError({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } }),
    ).toBe(false);
    expect(isTransientSqsError('text')).toBe(false);
  });
});
