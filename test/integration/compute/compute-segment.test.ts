import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { handler as computeSegment } from '../../../handlers/compute-segment';
import { handler as planRecomputation } from '../../../handlers/plan-recomputation';
import { PowertoolsComputeRecorder } from '../../../lib/aws/compute-telemetry';
import { SqsBatchSender } from '../../../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue } from '../../../lib/aws/sqs-update-queue';
import { createComputeSegmentHandler } from '../../../lib/compute';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/credentials';
import { ComputeJobSchema, GroupMembershipUpdateSchema } from '../../../schemas';
import type { TestStack } from '../../support/local-stack';
import { useTestStack } from '../../support/use-test-stack';
import {
  attributesOf,
  DIABETES_CARE_GROUP_ID,
  drainQueue,
  lambdaContext,
  queueUrlOf,
  recomputeOverStack,
  seedPatients,
  sendMessage,
  sqsEventOf,
  testPatient,
} from './compute-test-support';

const PATIENT_COUNT = 30;

describe('scheduled recomputation: plan, segment jobs, compute (DynamoDB Local + local SQS)', () => {
  const testStack = useTestStack();
  let stack: TestStack;
  let url: (logicalId: string) => string;

  beforeAll(async () => {
    stack = testStack();
    // Small numbers so 30 patients make several segments and pages.
    process.env.COMPUTE_PATIENTS_PER_SEGMENT = '10';
    process.env.COMPUTE_PAGE_SIZE = '4';
    url = queueUrlOf(stack);
    await seedPatients(
      stack.documents,
      stack.tables.PatientsTable ?? '',
      Array.from({ length: PATIENT_COUNT }, (_, i) => testPatient(i)),
    );
  }, 60_000);

  /** Runs the compute-segment handler on every job on the compute queue until none is left. */
  async function computeAllJobs(remainingMs: () => number) {
    const jobs = [];
    for (;;) {
      const messages = await drainQueue(stack.sqs, url('ComputeJobsQueue'));
      if (messages.length === 0) return jobs;
      for (const message of messages) {
        jobs.push(ComputeJobSchema.parse(JSON.parse(message.Body ?? '')));
        const response = await computeSegment(
          sqsEventOf([message], stack.queues.ComputeJobsQueue?.arn ?? ''),
          lambdaContext(remainingMs),
        );
        expect(response.batchItemFailures).toEqual([]);
      }
    }
  }

  function groupUpdatesByPatient(messages: Awaited<ReturnType<typeof drainQueue>>) {
    return new Map(
      messages.map((m) => {
        const update = GroupMembershipUpdateSchema.parse(JSON.parse(m.Body ?? ''));
        const [entry] = update.integration_payload.members.entries;
        return [entry?.uuid, { update, attributes: attributesOf(m) }];
      }),
    );
  }

  it('plans segment jobs, computes them, and puts each update on its queue with its attributes', async () => {
    const plan = await planRecomputation({ id: 'tick-1', time: '2024-03-01T06:00:00Z' });
    expect(plan).toEqual({ runId: 'tick-1', approximatePatients: PATIENT_COUNT, totalSegments: 3 });

    const jobs = await computeAllJobs(() => 300_000);
    expect(jobs.map((j) => j.segment).sort()).toEqual([0, 1, 2]);
    expect(
      jobs.every((j) => j.runId === 'tick-1' && j.computedAt === '2024-03-01T06:00:00.000Z'),
    ).toBe(true);

    const groupMessages = await drainQueue(stack.sqs, url('GroupQueue'));
    expect(await drainQueue(stack.sqs, url('TaskQueue'))).toEqual([]);
    // One Group update per patient (diabetes care group: in or not in), nothing else.
    expect(groupMessages).toHaveLength(PATIENT_COUNT);
    const byPatient = groupUpdatesByPatient(groupMessages);
    expect(byPatient.size).toBe(PATIENT_COUNT);

    const ids = new Set<string | undefined>();
    for (let i = 0; i < PATIENT_COUNT; i += 1) {
      const found = byPatient.get(testPatient(i).patient.key);
      expect(found?.update.integration_payload.externally_exposable_id).toBe(
        DIABETES_CARE_GROUP_ID,
      );
      expect(found?.update.integration_payload.members.entries[0]?.inactive).toBe(
        i % 3 === 0 ? undefined : true,
      );
      expect(found?.attributes).toEqual({
        'update-id': expect.stringMatching(/^[0-9a-f]{32}$/),
        'computed-at': '2024-03-01T06:00:00.000Z',
        protocol: 'diabetes-care-group',
      });
      ids.add(found?.attributes['update-id']);
    }
    expect(ids.size).toBe(PATIENT_COUNT);
  });

  it('finishes a segment with continuation jobs when the time budget is short, skipping no one', async () => {
    await planRecomputation({ id: 'tick-2', time: '2024-03-02T06:00:00Z' });
    // 10 s left is under the 30 s reserve: every invocation reads one page of 4 and hands on.
    const jobs = await computeAllJobs(() => 10_000);

    const continuations = jobs.filter((j) => j.startKey !== undefined);
    // Every segment holds more than one page, so each one handed on at least once.
    expect(new Set(continuations.map((j) => j.segment))).toEqual(new Set([0, 1, 2]));
    expect(continuations.every((j) => (j.continuation ?? 0) >= 1)).toBe(true);

    const groupMessages = await drainQueue(stack.sqs, url('GroupQueue'));
    expect(groupMessages).toHaveLength(PATIENT_COUNT);
    expect(groupUpdatesByPatient(groupMessages).size).toBe(PATIENT_COUNT);
    expect(new Set(groupMessages.map((m) => attributesOf(m)['computed-at']))).toEqual(
      new Set(['2024-03-02T06:00:00.000Z']),
    );
  });

  it('retries Failed batch entries until every update is on the queue exactly once', async () => {
    // local-aws-sqs never answers with partial `Failed` entries: this middleware withholds the
    // first entry of the first SendMessageBatch from the emulator and reports it Failed, as SQS
    // does on an internal error.
    const sqs = new SQSClient({
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      endpoint: stack.sqsEndpoint,
    });
    let injected = false;
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as SendMessageBatchCommandInput;
        if (injected || context.commandName !== SendMessageBatchCommand.name) return next(args);
        injected = true;
        const [withheld, ...rest] = input.Entries ?? [];
        const result = await next({ ...args, input: { ...input, Entries: rest } });
        const output = result.output as SendMessageBatchCommandOutput;
        output.Failed = [
          ...(output.Failed ?? []),
          { Id: withheld?.Id, Code: 'InternalError', SenderFault: false, Message: 'injected' },
        ];
        return result;
      },
      { step: 'initialize', name: 'injectFailedEntry' },
    );
    const sender = new SqsBatchSender({ client: sqs, baseDelayMs: 1 });
    const handle = createComputeSegmentHandler(() => ({
      ...recomputeOverStack(stack, { sender }),
      jobs: new SqsComputeJobQueue(sender, url('ComputeJobsQueue')),
      budget: { pageSize: 100, reserveMs: 1_000 },
      recorder: new PowertoolsComputeRecorder(new Logger({ logLevel: 'ERROR' }), new Metrics()),
    }));

    await sendMessage(stack.sqs, url('ComputeJobsQueue'), {
      runId: 'tick-3',
      computedAt: '2024-03-03T06:00:00.000Z',
      segment: 0,
      totalSegments: 1,
    });
    const [job] = await drainQueue(stack.sqs, url('ComputeJobsQueue'));
    const response = await handle(
      sqsEventOf(job ? [job] : [], stack.queues.ComputeJobsQueue?.arn ?? ''),
      lambdaContext(() => 300_000),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(injected).toBe(true);

    const groupMessages = await drainQueue(stack.sqs, url('GroupQueue'));
    expect(groupMessages).toHaveLength(PATIENT_COUNT);
    expect(groupUpdatesByPatient(groupMessages).size).toBe(PATIENT_COUNT);
    // 30 updates: 3 full batches, plus one retry of the withheld entry.
    expect(sender.requestCount).toBe(4);
    sqs.destroy();
  });

  it('reports a malformed job as a batch item failure (SQS redrives it to the DLQ)', async () => {
    await sendMessage(stack.sqs, url('ComputeJobsQueue'), { runId: 'x', segment: 5 });
    const messages = await drainQueue(stack.sqs, url('ComputeJobsQueue'));
    const response = await computeSegment(
      sqsEventOf(messages, stack.queues.ComputeJobsQueue?.arn ?? ''),
      lambdaContext(() => 300_000),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: messages[0]?.MessageId }]);
  });
});
