import '../../support/quiet-sdk-warning';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as applyGroupMembership } from '../../../handlers/apply-group-membership';
import { dynamoDbOperatorDirectory } from '../../../lib/aws/dynamodb-operator-directory';
import { DynamoDbPatientSource } from '../../../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../../../lib/aws/sqs-batch-sender';
import { SqsQueueAdmin } from '../../../lib/aws/sqs-dead-letter-admin';
import { SqsComputeJobQueue } from '../../../lib/aws/sqs-update-queue';
import { DEFAULT_SEGMENT_POLICY } from '../../../lib/compute';
import { UPDATE_QUEUE_URL_ENV, UPDATE_TYPES } from '../../../lib/message-types';
import {
  createGroup,
  type DeadLetterRoute,
  deadLetterRoutes,
  findDeadLetterRoute,
  OperatorError,
  peekDeadLetters,
  purgeDeadLetters,
  recomputeAllNow,
  recomputePatientNow,
  redriveDeadLetters,
} from '../../../lib/operator';
import { ensurePatientInGroup } from '../../../lib/update-helpers';
import { loadServerlessConfig } from '../../../local/serverless-config';
import { ComputeJobSchema, FlatChangeEventSchema } from '../../../schemas';
import { TEST_STAGE, type TestStack } from '../../support/local-stack';
import { operatorTablesOf } from '../../support/operator-tables';
import { seedPatient } from '../../support/seed';
import { drain, type QueueRef, receiveMessages, takeAll } from '../../support/sqs-driver';
import { useTestStack } from '../../support/use-test-stack';

const testStack = useTestStack();
let stack: TestStack;
let queues: SqsQueueAdmin;
let routes: DeadLetterRoute[];

const T0 = 1_706_691_600_000;

function route(name: string): DeadLetterRoute {
  const found = findDeadLetterRoute(routes, name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
}

function queue(logicalId: string): QueueRef {
  const found = stack.queues[logicalId];
  if (!found) throw new Error(`no queue ${logicalId}`);
  return found;
}

async function visible(queueRef: QueueRef): Promise<number> {
  const { Attributes } = await stack.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueRef.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

async function deadLetter(queueRef: QueueRef, updateId: string, reason?: string) {
  await stack.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueRef.url,
      MessageBody: JSON.stringify({ n: updateId }),
      MessageAttributes: {
        'update-id': { DataType: 'String', StringValue: updateId },
        ...(reason
          ? {
              'rejection-reason': { DataType: 'String', StringValue: reason },
              'rejection-detail': {
                DataType: 'String',
                StringValue: 'entries[0]: unknown-patient',
              },
            }
          : {}),
      },
    }),
  );
}

beforeAll(async () => {
  stack = testStack();
  queues = new SqsQueueAdmin(stack.sqs);
  routes = deadLetterRoutes(await loadServerlessConfig(TEST_STAGE));
});

describe('queue topology (serverless.yml)', () => {
  it('has a DLQ route for every update type the config gives a queue, and the other queues', async () => {
    const config = await loadServerlessConfig(TEST_STAGE);
    const env = config.provider.environment ?? {};
    const typesWithQueues = UPDATE_TYPES.filter(
      (type) => env[UPDATE_QUEUE_URL_ENV[type]] !== undefined,
    );

    expect(typesWithQueues).toEqual(expect.arrayContaining(['Group', 'Task']));
    expect(routes.filter((r) => r.updateType).map((r) => r.name)).toEqual(typesWithQueues);
    expect(route('Group')).toEqual({
      name: 'Group',
      updateType: 'Group',
      source: { logicalId: 'GroupQueue', queueName: 'protocol-updates-test-group' },
      deadLetter: {
        logicalId: 'GroupDeadLetterQueue',
        queueName: 'protocol-updates-test-group-dlq',
      },
    });
    expect(route('changes').source.logicalId).toBe('ChangesQueue');
    expect(route('compute-jobs').deadLetter.logicalId).toBe('ComputeJobsDeadLetterQueue');
  });

  it('picks up a new message type from the environment mapping, without code changes', () => {
    const queueResource = (name: string, dlq?: string) => ({
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: name,
        ...(dlq ? { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } } } : {}),
      },
    });
    const config = {
      provider: { environment: { WIDGET_QUEUE_URL: { Ref: 'WidgetThingsQueue' } } },
      resources: {
        Resources: {
          WidgetThingsDlq: queueResource('svc-widget-dlq'),
          WidgetThingsQueue: queueResource('svc-widget', 'WidgetThingsDlq'),
          GadgetDeadLetterQueue: queueResource('svc-gadget-dlq'),
          GadgetQueue: queueResource('svc-gadget', 'GadgetDeadLetterQueue'),
          OddOneQueue: queueResource('svc-odd', 'WidgetThingsDlq'),
        },
      },
    };

    const found = deadLetterRoutes(config, {
      updateTypes: ['Widget', 'Gadget', 'Missing'],
      queueVariables: { Widget: 'WIDGET_QUEUE_URL' },
    });

    expect(found.map((r) => [r.name, r.source.queueName, r.deadLetter.queueName])).toEqual([
      ['Widget', 'svc-widget', 'svc-widget-dlq'],
      ['Gadget', 'svc-gadget', 'svc-gadget-dlq'],
      ['odd-one', 'svc-odd', 'svc-widget-dlq'],
    ]);
    expect(findDeadLetterRoute(found, 'WIDGET')?.name).toBe('Widget');
  });
});

describe('dead-letter admin (local SQS)', () => {
  it('peeks without consuming: the same messages stay visible, with reason and ids', async () => {
    const taskDlq = queue('TaskDeadLetterQueue');
    await deadLetter(taskDlq, 'peek-1', 'unknown-patient');
    await deadLetter(taskDlq, 'peek-2', 'inactive-label');
    await deadLetter(taskDlq, 'peek-3');

    const first = await peekDeadLetters(queues, route('Task'), { limit: 10 });
    const second = await peekDeadLetters(queues, route('Task'), { limit: 10 });
    const two = await peekDeadLetters(queues, route('Task'), { limit: 2 });

    expect(first.depth).toEqual({ visible: 3, inFlight: 0 });
    expect(first.messages.map((m) => [m.updateId, m.reason]).sort()).toEqual([
      ['peek-1', 'unknown-patient'],
      ['peek-2', 'inactive-label'],
      ['peek-3', 'max-receive-count-exceeded'],
    ]);
    const one = first.messages.find((m) => m.updateId === 'peek-1');
    expect(one).toMatchObject({
      detail: 'entries[0]: unknown-patient',
      receiveCount: 1,
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(one?.body).toBeUndefined();
    expect(second.messages.map((m) => m.messageId).sort()).toEqual(
      first.messages.map((m) => m.messageId).sort(),
    );
    expect(second.depth).toEqual({ visible: 3, inFlight: 0 });
    expect(two.messages).toHaveLength(2);
    expect(await visible(taskDlq)).toBe(3);
    expect(
      (await peekDeadLetters(queues, route('Task'), { limit: 1, includeBody: true })).messages[0]
        ?.body,
    ).toMatch(/^\{"n":"peek-\d"\}$/);
    await takeAll(stack.sqs, taskDlq);
  });

  it('redrives a rejected update after the fix: original attributes, applied once, not duplicated', async () => {
    const groupQueue = queue('GroupQueue');
    const groupDlq = queue('GroupDeadLetterQueue');
    await seedPatient(stack, 'p-redrive');
    const body = JSON.stringify(ensurePatientInGroup('p-redrive', 'g-created-later'));
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: groupQueue.url,
        MessageBody: body,
        MessageAttributes: {
          'update-id': { DataType: 'String', StringValue: 'redrive-1' },
          'computed-at': { DataType: 'String', StringValue: String(T0) },
          protocol: { DataType: 'String', StringValue: 'diabetes-care-group' },
          'trace-id': { DataType: 'String', StringValue: 'trace-7' },
        },
      }),
    );
    await drain(stack.sqs, groupQueue, applyGroupMembership);
    const [rejected] = (await peekDeadLetters(queues, route('Group'), { limit: 10 })).messages;
    expect(rejected).toMatchObject({ updateId: 'redrive-1', reason: 'unknown-group' });

    await createGroup(dynamoDbOperatorDirectory(stack.documents, operatorTables()), {
      name: 'Created later',
      groupId: 'g-created-later',
    });
    const result = await redriveDeadLetters(queues, route('Group'));

    expect(result).toMatchObject({ found: 1, moved: 1, movedNotDeleted: 0 });
    expect(await visible(groupDlq)).toBe(0);
    expect(await visible(groupQueue)).toBe(1);
    const [redriven] = await receiveMessages(stack.sqs, groupQueue);
    expect(redriven?.Body).toBe(body);
    const attributes = Object.fromEntries(
      Object.entries(redriven?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attributes).toEqual({
      'update-id': 'redrive-1',
      'computed-at': String(T0),
      protocol: 'diabetes-care-group',
      'trace-id': 'trace-7',
    });
    // Make it visible again at once and let the applier have it.
    await stack.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: groupQueue.url,
        ReceiptHandle: redriven?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    await drain(stack.sqs, groupQueue, applyGroupMembership);

    const { Item } = await stack.documents.send(
      new GetCommand({
        TableName: stack.tables.MembershipsTable,
        Key: { groupId: 'g-created-later', patientKey: 'p-redrive' },
      }),
    );
    expect(Item).toMatchObject({ active: true, lastUpdateId: 'redrive-1', version: T0 });
    expect(await visible(groupDlq)).toBe(0);
    expect(await visible(groupQueue)).toBe(0);
  });

  it('redrives at most --max messages and leaves the rest in the DLQ', async () => {
    const changesDlq = queue('ChangesDeadLetterQueue');
    const changes = queue('ChangesQueue');
    for (const id of ['m-1', 'm-2', 'm-3']) await deadLetter(changesDlq, id);

    const result = await redriveDeadLetters(queues, route('changes'), { max: 2 });

    expect(result).toMatchObject({ found: 3, moved: 2 });
    expect(await visible(changesDlq)).toBe(1);
    expect(await visible(changes)).toBe(2);
    await takeAll(stack.sqs, changesDlq);
    await takeAll(stack.sqs, changes);
  });

  it('redrives binary and string attributes byte for byte (the SQS adapter)', async () => {
    const changesDlq = queue('ChangesDeadLetterQueue');
    const changes = queue('ChangesQueue');
    const bytes = Uint8Array.from([0, 1, 254, 255]);
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: changesDlq.url,
        MessageBody: '{"b":1}',
        MessageAttributes: {
          blob: { DataType: 'Binary', BinaryValue: bytes },
          'trace-id': { DataType: 'String.trace', StringValue: 't-1' },
          'rejection-reason': { DataType: 'String', StringValue: 'schema' },
        },
      }),
    );

    expect(await redriveDeadLetters(queues, route('changes'))).toMatchObject({ moved: 1 });
    const [moved] = await takeAll(stack.sqs, changes);

    expect(moved?.Body).toBe('{"b":1}');
    expect(Object.keys(moved?.MessageAttributes ?? {}).sort()).toEqual(['blob', 'trace-id']);
    expect(moved?.MessageAttributes?.['trace-id']).toMatchObject({
      DataType: 'String.trace',
      StringValue: 't-1',
    });
    expect(moved?.MessageAttributes?.blob?.DataType).toBe('Binary');
    expect([...(moved?.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([0, 1, 254, 255]);
  });

  it('purges at most the confirmed number of messages', async () => {
    const jobsDlq = queue('ComputeJobsDeadLetterQueue');
    for (const id of ['x-1', 'x-2', 'x-3']) await deadLetter(jobsDlq, id);

    const result = await purgeDeadLetters(queues, route('compute-jobs'), { max: 2 });

    expect(result.deleted).toBe(2);
    expect(await visible(jobsDlq)).toBe(1);
    expect((await purgeDeadLetters(queues, route('compute-jobs'), { max: 5 })).deleted).toBe(1);
    expect(await visible(jobsDlq)).toBe(0);
  });

  it('says which queue is missing for a stage that has none', async () => {
    const error = await peekDeadLetters(
      queues,
      {
        ...route('Group'),
        deadLetter: { logicalId: 'X', queueName: 'protocol-updates-nostage-group-dlq' },
      },
      { limit: 1 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorError);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect((error as Error).message).toContain('protocol-updates-nostage-group-dlq');
  });
});

function operatorTables() {
  return operatorTablesOf(stack);
}

describe('recompute now (local stack)', () => {
  it('sends a valid change event for one existing patient to the changes queue', async () => {
    await seedPatient(stack, 'p-recompute');
    const deps = {
      patients: dynamoDbOperatorDirectory(stack.documents, operatorTables()).patients,
      queues,
      changesQueueUrl: queue('ChangesQueue').url,
    };

    const result = await recomputePatientNow(deps, { patientKey: 'p-recompute' });
    const [message] = await takeAll(stack.sqs, queue('ChangesQueue'));

    expect(result.changeType).toBe('patient');
    expect(message?.MessageId).toBe(result.messageId);
    expect(FlatChangeEventSchema.parse(JSON.parse(String(message?.Body)))).toEqual({
      patient_key: 'p-recompute',
      model_name: 'patient',
      created: false,
      deleted: false,
      fields: {},
      canvas_id: null,
      external_id: null,
    });

    const unknown = await recomputePatientNow(deps, { patientKey: 'p-unknown' }).catch(
      (e: unknown) => e,
    );
    expect(unknown).toMatchObject({ kind: 'not-found' });
    expect(await visible(queue('ChangesQueue'))).toBe(0);
  });

  it('plans a full run: segment jobs on the compute jobs queue', async () => {
    const now = new Date('2024-06-01T12:00:00Z');
    const result = await recomputeAllNow(
      {
        counter: new DynamoDbPatientSource(stack.documents, operatorTables().patients),
        jobs: new SqsComputeJobQueue(
          new SqsBatchSender({ client: stack.sqs }),
          queue('ComputeJobsQueue').url,
        ),
        policy: { ...DEFAULT_SEGMENT_POLICY, minSegments: 3 },
      },
      now,
    );
    const jobs = (await takeAll(stack.sqs, queue('ComputeJobsQueue'))).map((m) =>
      ComputeJobSchema.parse(JSON.parse(String(m.Body))),
    );

    expect(result).toMatchObject({ totalSegments: 3, computedAt: '2024-06-01T12:00:00.000Z' });
    expect(result.runId).toMatch(/^operator-[0-9a-f-]{36}$/);
    expect(jobs.map((j) => j.segment).sort()).toEqual([0, 1, 2]);
    expect(jobs.every((j) => j.runId === result.runId && j.totalSegments === 3)).toBe(true);
  });
});
