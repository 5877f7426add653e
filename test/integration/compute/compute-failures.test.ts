import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PowertoolsComputeRecorder } from '../../../lib/aws/compute-telemetry';
import { SqsBatchSender } from '../../../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue, type UpdateQueueUrls } from '../../../lib/aws/sqs-update-queue';
import { createComputeOnChangeHandler, createComputeSegmentHandler } from '../../../lib/compute';
import { UPDATE_TYPES } from '../../../lib/message-types';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/credentials';
import type { TestStack } from '../../support/local-stack';
import { captureOutput } from '../../support/reliability';
import { useTestStack } from '../../support/use-test-stack';
import {
  drainQueue,
  lambdaContext,
  queueUrlOf,
  recomputeOverStack,
  seedPatients,
  sendMessage,
  sqsEventOf,
  testPatient,
} from './compute-test-support';

// A compute job or change event whose updates cannot be sent after the sender's retries must
// leave one error line and a ComputeJobsFailed count, and still be reported failed so SQS
// redelivers it. The sends fail for real (a queue that was deleted) except where SQS answers
// with `Failed` entries, which local-aws-sqs never does: there a middleware on our own client
// rewrites the emulator's answer (said at the test).

const PATIENTS = 3;
const FAILURE_LINE = 'compute job failed';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

describe('compute failures are logged, counted and reported failed (DynamoDB Local + local SQS)', () => {
  const testStack = useTestStack({ quiet: false });
  let stack: TestStack;
  let url: (logicalId: string) => string;
  let deletedQueueUrl: string;

  beforeAll(async () => {
    stack = testStack();
    url = queueUrlOf(stack);
    await seedPatients(
      stack.documents,
      stack.tables.PatientsTable ?? '',
      Array.from({ length: PATIENTS }, (_, i) => testPatient(i)),
    );
    const { QueueUrl } = await stack.sqs.send(
      new CreateQueueCommand({ QueueName: 'compute-failures-deleted' }),
    );
    deletedQueueUrl = String(QueueUrl);
    await stack.sqs.send(new DeleteQueueCommand({ QueueUrl: deletedQueueUrl }));
  }, 60_000);

  const everyTypeTo = (queueUrl: string): UpdateQueueUrls =>
    Object.fromEntries(UPDATE_TYPES.map((type) => [type, queueUrl])) as UpdateQueueUrls;

  const telemetry = () => ({
    recorder: new PowertoolsComputeRecorder(
      new Logger({ serviceName: 'compute-failures-test', logLevel: 'WARN' }),
      new Metrics({ namespace: 'Test', serviceName: 'compute-failures-test' }),
    ),
  });

  function segmentHandler(sender: SqsBatchSender, updateQueues: UpdateQueueUrls): Handler {
    return createComputeSegmentHandler(() => ({
      ...recomputeOverStack(stack, { sender, queueUrls: updateQueues }),
      jobs: new SqsComputeJobQueue(sender, url('ComputeJobsQueue')),
      budget: { pageSize: 100, reserveMs: 1_000 },
      ...telemetry(),
    }));
  }

  /** Receives the one message just sent to the queue and runs the handler on it, capturing output. */
  async function runOnOneMessage(handler: Handler, queue: string, body: unknown) {
    await sendMessage(stack.sqs, url(queue), body);
    const messages = await drainQueue(stack.sqs, url(queue));
    expect(messages).toHaveLength(1);
    const output = captureOutput();
    let response: SQSBatchResponse;
    let lines: string[];
    try {
      response = await handler(
        sqsEventOf(messages, stack.queues[queue]?.arn ?? ''),
        lambdaContext(() => 300_000),
      );
    } finally {
      lines = output.lines;
      output.restore();
    }
    const json = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    return {
      messageId: messages[0]?.MessageId,
      response,
      failureLines: json.filter((line) => line.message === FAILURE_LINE),
      failedCount: json.find((line) => '_aws' in line)?.ComputeJobsFailed,
    };
  }

  it('a segment job whose sends hit a deleted queue: one error line, one count, reported failed', async () => {
    const handle = segmentHandler(
      new SqsBatchSender({ client: stack.sqs, baseDelayMs: 1 }),
      everyTypeTo(deletedQueueUrl),
    );

    const run = await runOnOneMessage(handle, 'ComputeJobsQueue', {
      runId: 'tick-fail-1',
      computedAt: '2024-03-01T06:00:00.000Z',
      segment: 0,
      totalSegments: 1,
    });

    expect(run.response.batchItemFailures).toEqual([{ itemIdentifier: run.messageId }]);
    expect(run.failureLines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        messageId: run.messageId,
        runId: 'tick-fail-1',
        segment: 0,
        totalSegments: 1,
        continuation: 0,
        errorName: 'QueueDoesNotExist',
      }),
    ]);
    // The SDK's message is not ours: only its name is logged.
    expect(run.failureLines[0]).not.toHaveProperty('error');
    expect(run.failedCount).toBe(1);
  });

  it('a segment job whose entries SQS keeps refusing: the line names the update ids and codes', async () => {
    // local-aws-sqs never answers with `Failed` entries. This middleware (our client only)
    // withholds every entry from the emulator and reports each one Failed, as SQS does on an
    // internal error, so the sender exhausts its attempts and throws its own SqsSendError.
    const sqs = new SQSClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: stack.sqsEndpoint,
    });
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== SendMessageBatchCommand.name) return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const output: SendMessageBatchCommandOutput = {
          $metadata: {},
          Successful: [],
          Failed: (input.Entries ?? []).map((entry) => ({
            Id: entry.Id,
            Code: 'InternalError',
            SenderFault: false,
          })),
        };
        return { output, response: {} };
      },
      { step: 'initialize', name: 'refuseEveryEntry' },
    );
    const handle = segmentHandler(
      new SqsBatchSender({ client: sqs, baseDelayMs: 1, maxAttempts: 2 }),
      everyTypeTo(url('GroupQueue')),
    );

    const run = await runOnOneMessage(handle, 'ComputeJobsQueue', {
      runId: 'tick-fail-2',
      computedAt: '2024-03-01T06:00:00.000Z',
      segment: 0,
      totalSegments: 1,
    });
    sqs.destroy();

    expect(run.response.batchItemFailures).toEqual([{ itemIdentifier: run.messageId }]);
    expect(run.failureLines).toHaveLength(1);
    const line = run.failureLines[0] ?? {};
    expect(line).toMatchObject({ runId: 'tick-fail-2', errorName: 'SqsSendError' });
    // One Group update per patient, each refused: every update id is named with its code.
    expect(String(line.error)).toMatch(/^SQS entries still failed after 2 attempts: /);
    expect(String(line.error).match(/update [0-9a-f]{32} \(InternalError\)/g)).toHaveLength(
      PATIENTS,
    );
    expect(run.failedCount).toBe(1);
    expect(await drainQueue(stack.sqs, url('GroupQueue'))).toEqual([]);
  });

  it('a change event whose sends hit a deleted queue: one error line, one count, reported failed', async () => {
    const handle = createComputeOnChangeHandler(() => ({
      ...recomputeOverStack(stack, {
        sender: new SqsBatchSender({ client: stack.sqs, baseDelayMs: 1 }),
        queueUrls: everyTypeTo(deletedQueueUrl),
      }),
      ...telemetry(),
    }));

    // A condition change: the diabetes group protocol sends one Group update for the patient.
    const run = await runOnOneMessage(handle, 'ChangesQueue', {
      patient_key: testPatient(0).patient.key,
      model_name: 'condition',
      created: true,
      deleted: false,
      fields: {},
      canvas_id: 1,
      external_id: null,
    });

    expect(run.response.batchItemFailures).toEqual([{ itemIdentifier: run.messageId }]);
    expect(run.failureLines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        messageId: run.messageId,
        receiveCount: '1',
        errorName: 'QueueDoesNotExist',
      }),
    ]);
    expect(run.failureLines[0]).not.toHaveProperty('error');
    expect(run.failedCount).toBe(1);
  });
});
