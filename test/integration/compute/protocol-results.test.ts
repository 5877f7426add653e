import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { PowertoolsComputeRecorder } from '../../../lib/aws/compute-telemetry';
import {
  DynamoDbProtocolResultStore,
  statusShardOf,
} from '../../../lib/aws/dynamodb-protocol-result-store';
import { SqsBatchSender } from '../../../lib/aws/sqs-batch-sender';
import { SqsComputeJobQueue } from '../../../lib/aws/sqs-update-queue';
import {
  createComputeOnChangeHandler,
  createComputeSegmentHandler,
  DEFAULT_REASSERT_AFTER_MS,
  type ProtocolResultStore,
  REASSERT_ATTRIBUTE,
  segmentJobs,
} from '../../../lib/compute';
import { PROTOCOLS } from '../../../protocols';
import type { ComputeJob, FlatChangeEvent, PatientInput } from '../../../schemas';
import { withUpcomingAppointments } from '../../support/canvas-patient';
import type { TestStack } from '../../support/local-stack';
import { useTestStack } from '../../support/use-test-stack';
import {
  attributesOf,
  drainQueue,
  lambdaContext,
  queueUrlOf,
  recomputeOverStack,
  seedPatients,
  sqsEventOf,
  testPatient,
} from './compute-test-support';

/**
 * Protocol results recorded, and unchanged updates not re-sent (docs/scaling.md, steady state),
 * through the real segment and change handlers with the production adapters over DynamoDB Local
 * and local SQS. The only stand-in: a results store that fails its writes, for the crash between
 * enqueue and digest write (DynamoDB Local cannot crash at that point on its own).
 */

const PATIENTS = 12;
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2030-01-01T06:00:00.000Z');
const FUTURE = '2099-06-01T09:00:00';

/** Every fourth patient has an upcoming appointment (a reminder Task besides the Group update). */
function patient(i: number, diabetic?: boolean): PatientInput {
  const base = testPatient(i);
  const conditions =
    diabetic === undefined
      ? base.conditions
      : diabetic
        ? [
            {
              id: 900 + i,
              coding: [{ system: 'ICD-10', code: 'E11.9' }],
              clinicalStatus: 'active' as const,
              periods: [{ from: '2020-01-01', to: null }],
            },
          ]
        : [];
  return withUpcomingAppointments(
    { ...base, conditions },
    i % 4 === 0
      ? [{ id: `appt-${i}`, startTime: FUTURE, providerKey: 'staff-1', status: 'confirmed' }]
      : [],
  );
}
const patientKey = (i: number) => testPatient(i).patient.key;

describe('protocol results and unchanged updates (DynamoDB Local + local SQS)', () => {
  const testStack = useTestStack();
  let stack: TestStack;
  let url: (logicalId: string) => string;
  let results: DynamoDbProtocolResultStore;
  const written = { count: 0 };

  /** The production store, counting the results written. */
  const countingStore = (): ProtocolResultStore => ({
    getMany: (keys) => results.getMany(keys),
    async putMany(list) {
      const n = await results.putMany(list);
      written.count += n;
      return n;
    },
  });

  beforeAll(async () => {
    stack = testStack();
    url = queueUrlOf(stack);
    results = new DynamoDbProtocolResultStore(
      stack.documents,
      stack.tables.ProtocolResultsTable ?? '',
    );
    await seedPatients(
      stack.documents,
      stack.tables.PatientsTable ?? '',
      Array.from({ length: PATIENTS }, (_, i) => patient(i)),
    );
  }, 60_000);

  function segmentHandler(store: ProtocolResultStore) {
    const sender = new SqsBatchSender({ client: stack.sqs, baseDelayMs: 1 });
    return createComputeSegmentHandler(() => ({
      ...recomputeOverStack(stack, { sender }),
      jobs: new SqsComputeJobQueue(sender, url('ComputeJobsQueue')),
      results: store,
      reassertAfterMs: DEFAULT_REASSERT_AFTER_MS,
      // Pages of 5: results wait for the carry's partial batches across pages.
      budget: { pageSize: 5, reserveMs: 1_000 },
      recorder: new PowertoolsComputeRecorder(new Logger({ logLevel: 'ERROR' }), new Metrics()),
    }));
  }

  /** One scheduled run at `at` (the injected clock: the run's `computed-at`). */
  async function run(
    at: number,
    options: { reassert?: boolean; store?: ProtocolResultStore } = {},
  ) {
    const [job] = segmentJobs(
      { runId: `run-${at}`, computedAt: new Date(at), reassert: options.reassert },
      1,
    ) as [ComputeJob];
    const event: SQSEvent = {
      Records: [
        {
          ...sqsEventOf([], '').Records[0],
          messageId: `job-${at}`,
          receiptHandle: 'r',
          body: JSON.stringify(job),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(at),
            SenderId: 'test',
            ApproximateFirstReceiveTimestamp: String(at),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: stack.queues.ComputeJobsQueue?.arn ?? '',
          awsRegion: 'us-east-1',
        },
      ],
    };
    return segmentHandler(options.store ?? countingStore())(
      event,
      lambdaContext(() => 300_000),
    );
  }

  /** What is on the update queues (taken off), by type: the patient keys of the bodies. */
  async function sent() {
    const of = async (logicalId: string) =>
      (await drainQueue(stack.sqs, url(logicalId))).map((m) => {
        const body = JSON.parse(m.Body ?? '{}');
        return {
          patientKey: String(
            body.patient_identifier?.identifier?.key ??
              body.integration_payload?.members?.entries?.[0]?.uuid ??
              '',
          ),
          protocol: attributesOf(m).protocol,
        };
      });
    return {
      Group: await of('GroupQueue'),
      Task: await of('TaskQueue'),
      TaskUpdate: await of('TaskUpdateQueue'),
    };
  }

  const storedResult = async (i: number, protocol: string) =>
    (
      await stack.documents.send(
        new GetCommand({
          TableName: stack.tables.ProtocolResultsTable ?? '',
          Key: { patientKey: patientKey(i), protocol },
          ConsistentRead: true,
        }),
      )
    ).Item;

  const withAppointment = Array.from({ length: PATIENTS }, (_, i) => i).filter((i) => i % 4 === 0);

  it('the first run sends every update and records every result', async () => {
    written.count = 0;
    expect((await run(T0)).batchItemFailures).toEqual([]);
    const first = await sent();
    expect(first.Group).toHaveLength(PATIENTS);
    expect(first.Task.map((t) => t.patientKey).sort()).toEqual(
      withAppointment.map(patientKey).sort(),
    );
    expect(written.count).toBe(PATIENTS * PROTOCOLS.length);

    const diabetic = await storedResult(0, 'diabetes-care-group');
    expect(diabetic).toMatchObject({
      patientKey: patientKey(0),
      protocol: 'diabetes-care-group',
      protocolVersion: '1.0.0',
      status: 'satisfied',
      statusKey: `diabetes-care-group#satisfied#${statusShardOf(patientKey(0))}`,
      narratives: ['Active diabetes condition: ensured in the diabetes care group.'],
      dueIn: null,
      nextReview: null,
      computedAt: new Date(T0).toISOString(),
      updatesSentAt: new Date(T0).toISOString(),
      updatesCount: 1,
      updatesDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // not_applicable stays out of the sparse status index.
    const other = await storedResult(1, 'diabetes-care-group');
    expect(other?.status).toBe('not_applicable');
    expect(other?.statusKey).toBeUndefined();
  });

  it('a second recomputation an hour later enqueues nothing and writes no result', async () => {
    written.count = 0;
    expect((await run(T0 + 3_600_000)).batchItemFailures).toEqual([]);
    expect(await sent()).toEqual({ Group: [], Task: [], TaskUpdate: [] });
    expect(written.count).toBe(0);
    // Written once: the stored result is still the first run's.
    expect((await storedResult(0, 'diabetes-care-group'))?.computedAt).toBe(
      new Date(T0).toISOString(),
    );
  });

  it('a changed patient enqueues only its changed protocol’s update', async () => {
    // Patient 4 (an appointment, not diabetic) now has diabetes: only its Group update changes.
    await seedPatients(stack.documents, stack.tables.PatientsTable ?? '', [patient(4, true)]);
    written.count = 0;
    expect((await run(T0 + 2 * 3_600_000)).batchItemFailures).toEqual([]);
    expect(await sent()).toEqual({
      Group: [{ patientKey: patientKey(4), protocol: 'diabetes-care-group' }],
      Task: [],
      TaskUpdate: [],
    });
    expect(written.count).toBe(1);
    expect(await storedResult(4, 'diabetes-care-group')).toMatchObject({
      status: 'satisfied',
      statusKey: `diabetes-care-group#satisfied#${statusShardOf(patientKey(4))}`,
      computedAt: new Date(T0 + 2 * 3_600_000).toISOString(),
    });
  });

  it('a crash between enqueue and digest write sends again on the next run', async () => {
    await seedPatients(stack.documents, stack.tables.PatientsTable ?? '', [patient(5, true)]);
    const crashing: ProtocolResultStore = {
      getMany: (keys) => results.getMany(keys),
      putMany: async () => {
        throw new Error('crashed before the results were written');
      },
    };
    const at = T0 + 3 * 3_600_000;
    // The job fails after its updates were accepted by SQS (and SQS would redeliver it).
    expect((await run(at, { store: crashing })).batchItemFailures).toHaveLength(1);
    expect((await sent()).Group).toEqual([
      { patientKey: patientKey(5), protocol: 'diabetes-care-group' },
    ]);
    expect((await storedResult(5, 'diabetes-care-group'))?.status).toBe('not_applicable');

    // The next run (or the redelivery) has the old digest: it sends again, never skips.
    expect((await run(at + 3_600_000)).batchItemFailures).toEqual([]);
    expect((await sent()).Group).toEqual([
      { patientKey: patientKey(5), protocol: 'diabetes-care-group' },
    ]);
    expect((await storedResult(5, 'diabetes-care-group'))?.status).toBe('satisfied');
    // And then it is recorded: the run after sends nothing.
    expect((await run(at + 2 * 3_600_000)).batchItemFailures).toEqual([]);
    expect(await sent()).toEqual({ Group: [], Task: [], TaskUpdate: [] });
  });

  it('re-sends every update once reassertAfter has elapsed, and records the new send time', async () => {
    written.count = 0;
    const at = T0 + DAY + 6 * 3_600_000;
    expect((await run(at)).batchItemFailures).toEqual([]);
    const again = await sent();
    expect(again.Group).toHaveLength(PATIENTS);
    expect(again.Task).toHaveLength(withAppointment.length);
    // Those with updates to re-assert (a result with none has nothing to send).
    expect(written.count).toBe(PATIENTS + withAppointment.length);
    expect((await storedResult(0, 'diabetes-care-group'))?.updatesSentAt).toBe(
      new Date(at).toISOString(),
    );
    // Then quiet again.
    expect((await run(at + 3_600_000)).batchItemFailures).toEqual([]);
    expect(await sent()).toEqual({ Group: [], Task: [], TaskUpdate: [] });
  });

  it('a job with reassert (recompute --all --reassert) sends everything at once', async () => {
    const at = T0 + DAY + 8 * 3_600_000;
    expect((await run(at, { reassert: true })).batchItemFailures).toEqual([]);
    const forced = await sent();
    expect(forced.Group).toHaveLength(PATIENTS);
    expect(forced.Task).toHaveLength(withAppointment.length);
  });

  describe('change events', () => {
    function changeHandler() {
      return createComputeOnChangeHandler(() => ({
        ...recomputeOverStack(stack),
        results: countingStore(),
        reassertAfterMs: DEFAULT_REASSERT_AFTER_MS,
        recorder: new PowertoolsComputeRecorder(new Logger({ logLevel: 'ERROR' }), new Metrics()),
      }));
    }

    async function change(
      body: FlatChangeEvent,
      attributes: Record<string, MessageAttributeValue> = {},
    ) {
      await stack.sqs.send(
        new SendMessageCommand({
          QueueUrl: url('ChangesQueue'),
          MessageBody: JSON.stringify(body),
          MessageAttributes: attributes,
        }),
      );
      const messages = await drainQueue(stack.sqs, url('ChangesQueue'));
      const event = sqsEventOf(messages, stack.queues.ChangesQueue?.arn ?? '');
      event.Records.forEach((record, i) => {
        record.messageAttributes = Object.fromEntries(
          Object.entries(messages[i]?.MessageAttributes ?? {}).map(([name, v]) => [
            name,
            { stringValue: v.StringValue, dataType: v.DataType ?? 'String' },
          ]),
        );
      });
      return changeHandler()(
        event,
        lambdaContext(() => 60_000),
      );
    }

    const conditionChange = (i: number): FlatChangeEvent => ({
      patient_key: patientKey(i),
      model_name: 'condition',
      created: false,
      deleted: false,
      fields: {},
      canvas_id: null,
      external_id: null,
    });

    it('an unchanged result on a change sends nothing; --reassert (the attribute) sends it', async () => {
      expect((await change(conditionChange(0))).batchItemFailures).toEqual([]);
      expect(await sent()).toEqual({ Group: [], Task: [], TaskUpdate: [] });

      expect(
        (
          await change(conditionChange(0), {
            [REASSERT_ATTRIBUTE]: { DataType: 'String', StringValue: 'true' },
          })
        ).batchItemFailures,
      ).toEqual([]);
      expect((await sent()).Group).toEqual([
        { patientKey: patientKey(0), protocol: 'diabetes-care-group' },
      ]);
    });
  });
});
