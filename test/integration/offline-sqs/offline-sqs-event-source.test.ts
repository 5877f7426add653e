import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/credentials';
import type { BatchOutcome } from '../../../local/offline-sqs-event-source/queue-poller';
import { toSqsRecord } from '../../../local/offline-sqs-event-source/sqs-event';
import { freePort } from '../../../local/ports';
import {
  type ServerlessOfflineProcess,
  startServerlessOffline,
} from '../../../local/serverless-offline-process';
import { type SqsLocal, startSqsLocal } from '../../../local/sqs-local';

jest.setTimeout(120_000);

/** The fixture's queues (test/integration/offline-sqs/fixture/serverless.yml). */
const QUEUES = [
  { name: 'offline-sqs-fixture-work', visibility: 2, maxReceiveCount: 3 },
  { name: 'offline-sqs-fixture-whole', visibility: 1, maxReceiveCount: 2 },
];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the offline SQS event source plugin under serverless-offline', () => {
  let sqsLocal: SqsLocal;
  let sqs: SQSClient;
  let offline: ServerlessOfflineProcess;
  let reportDir: string;
  const urls: Record<string, string> = {};

  const reports = (): BatchOutcome[] => {
    try {
      return readFileSync(join(reportDir, 'report.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as BatchOutcome);
    } catch {
      return [];
    }
  };
  const depth = async (name: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: urls[name],
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };
  const send = async (name: string, body: string) => {
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: urls[name],
        MessageBody: body,
        MessageAttributes: { 'update-id': { DataType: 'String', StringValue: `u-${body}` } },
      }),
    );
    return String(MessageId);
  };
  const drainDlq = async (name: string) => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urls[`${name}-dlq`], MaxNumberOfMessages: 10 }),
    );
    return (Messages ?? []).map((m) => m.Body);
  };

  beforeAll(async () => {
    reportDir = mkdtempSync(join(tmpdir(), 'offline-sqs-'));
    sqsLocal = await startSqsLocal();
    sqs = new SQSClient({
      endpoint: sqsLocal.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    for (const queue of QUEUES) {
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${queue.name}-dlq` }));
      urls[`${queue.name}-dlq`] = String(dlq.QueueUrl);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      const created = await sqs.send(
        new CreateQueueCommand({
          QueueName: queue.name,
          Attributes: {
            VisibilityTimeout: String(queue.visibility),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: Attributes?.QueueArn,
              maxReceiveCount: queue.maxReceiveCount,
            }),
          },
        }),
      );
      urls[queue.name] = String(created.QueueUrl);
    }
    offline = await startServerlessOffline({
      cwd: join(__dirname, 'fixture'),
      stage: 'test',
      lambdaPort: await freePort(),
      httpPort: await freePort(),
      env: {
        AWS_ENDPOINT_URL_SQS: sqsLocal.endpoint,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        OFFLINE_SQS_REPORT_FILE: join(reportDir, 'report.jsonl'),
      },
    });
  });

  afterAll(async () => {
    await offline?.stop();
    sqs?.destroy();
    await sqsLocal?.stop();
    rmSync(reportDir, { recursive: true, force: true });
  });

  it('deletes the records that succeeded and keeps the batch item failures until the DLQ takes them', async () => {
    const ok = await send('offline-sqs-fixture-work', 'ok-1');
    const failed = await send('offline-sqs-fixture-work', 'fail-1');
    // Succeeds only if the function saw WORK_QUEUE_URL resolved from { Ref: WorkQueue }.
    const env = await send('offline-sqs-fixture-work', 'env');

    await until('the failed message in the DLQ', async () =>
      (await depth('offline-sqs-fixture-work')) === 0 &&
      (await depth('offline-sqs-fixture-work-dlq')) === 1
        ? true
        : undefined,
    );
    expect(await drainDlq('offline-sqs-fixture-work')).toEqual(['fail-1']);

    const deliveries = (id: string) =>
      reports()
        .filter((r) => r.functionKey === 'partial')
        .flatMap((r) => r.messages)
        .filter((m) => m.messageId === id)
        .map((m) => m.receiveCount);
    expect(deliveries(ok)).toEqual([1]);
    expect(deliveries(env)).toEqual([1]);
    // Redelivered after each visibility timeout, dead-lettered after maxReceiveCount (3).
    expect(deliveries(failed)).toEqual([1, 2, 3]);
    const first = reports().find((r) => r.messages.some((m) => m.messageId === ok));
    expect(first).toMatchObject({ result: 'partial', deleted: 2, kept: 1 });
  });

  it('keeps the whole batch when a handler without partial responses throws or times out', async () => {
    await send('offline-sqs-fixture-whole', 'throw');
    await until('the thrown message in the DLQ', async () =>
      (await depth('offline-sqs-fixture-whole-dlq')) === 1 ? true : undefined,
    );
    const hang = await send('offline-sqs-fixture-whole', 'hang');
    await until('the timed-out message in the DLQ', async () =>
      (await depth('offline-sqs-fixture-whole-dlq')) === 2 ? true : undefined,
    );
    expect((await drainDlq('offline-sqs-fixture-whole')).sort()).toEqual(['hang', 'throw']);
    // The second delivery outlives the message's visibility, so its report comes after the DLQ.
    const hangs = await until('both deliveries of the hanging message', async () => {
      const found = reports().filter((r) => r.messages.some((m) => m.messageId === hang));
      return found.length === 2 ? found : undefined;
    });
    expect(hangs.map((r) => r.result)).toEqual(['error', 'error']);
    expect(hangs[0]?.error).toMatch(/timeout/i);
  });

  it('deletes the whole batch on success when partial batch responses are not enabled', async () => {
    const dlqBefore = await depth('offline-sqs-fixture-whole-dlq');
    const ok = await send('offline-sqs-fixture-whole', 'fine');
    await until('the batch deleted', async () =>
      reports().some((r) => r.messages.some((m) => m.messageId === ok)) &&
      (await depth('offline-sqs-fixture-whole')) === 0
        ? true
        : undefined,
    );
    // The handler returns a bogus batchItemFailures, ignored without ReportBatchItemFailures.
    expect(reports().find((r) => r.messages.some((m) => m.messageId === ok))).toMatchObject({
      result: 'ok',
      deleted: 1,
    });
    expect(await depth('offline-sqs-fixture-whole-dlq')).toBe(dlqBefore);
  });

  it('builds SQS records as Lambda receives them', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: urls['offline-sqs-fixture-work-dlq'],
        MessageBody: '{"a":1}',
        MessageAttributes: { 'computed-at': { DataType: 'String', StringValue: '1700000000000' } },
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urls['offline-sqs-fixture-work-dlq'],
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const message = Messages?.[0];
    if (!message) throw new Error('no message');
    const record = toSqsRecord(message, 'arn:aws:sqs:us-east-1:000000000000:q', 'us-east-1');
    expect(record).toMatchObject({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: '{"a":1}',
      md5OfBody: message.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
      messageAttributes: {
        'computed-at': {
          dataType: 'String',
          stringValue: '1700000000000',
          stringListValues: [],
          binaryListValues: [],
        },
      },
    });
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
  });
});
