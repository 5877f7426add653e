import { type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { DynamoDbPatientSource } from '../../../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../../../lib/aws/sqs-batch-sender';
import { SqsUpdateQueue, type UpdateQueueUrls } from '../../../lib/aws/sqs-update-queue';
import { batchPutItems, patientItem } from '../../../lib/aws/table-items';
import type { RecomputeDeps } from '../../../lib/compute';
import { PROTOCOLS } from '../../../protocols';
import { DIABETES_CARE_GROUP_ID } from '../../../protocols/diabetes-care-group';
import type { PatientInput } from '../../../schemas';
import type { TestStack } from '../../support/local-stack';
import { takeAll } from '../../support/sqs-driver';
import { updateQueueUrls } from '../../support/type-queues';

/** Keeps handler output quiet in tests: no EMF lines, no log lines. */
export { DIABETES_CARE_GROUP_ID };

/** A patient as the protocols see it; every third one has active type 2 diabetes. */
export function testPatient(index: number): PatientInput {
  const key = `patient-${String(index).padStart(4, '0')}`;
  return {
    patient: {
      key,
      firstName: 'Test',
      lastName: 'Patient',
      birthDate: '1970-01-01',
      sexAtBirth: 'F',
    },
    conditions:
      index % 3 === 0
        ? [
            {
              id: index,
              coding: [{ system: 'ICD-10', code: 'E119' }],
              clinicalStatus: 'active',
              // A condition's recordset drops a record without periods, as the kit's does.
              periods: [{ from: '2020-01-01', to: null }],
            },
          ]
        : [],
  };
}

/** Writes patients as patients-table items (docs/data-model.md). */
export async function seedPatients(
  documents: DynamoDBDocumentClient,
  tableName: string,
  patients: readonly PatientInput[],
): Promise<void> {
  const updatedAt = new Date().toISOString();
  await batchPutItems(
    documents,
    tableName,
    patients.map((p) => patientItem(p, updatedAt)),
  );
}

/** Receives and deletes every message on the queue (with attributes): `takeAll` by URL. */
export function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  return takeAll(sqs, { url: queueUrl, arn: '' });
}

export async function sendMessage(sqs: SQSClient, queueUrl: string, body: unknown): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
}

/** The SQS event Lambda would deliver for these received messages. */
export function sqsEventOf(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** A Lambda context whose remaining time is what the test says. */
export function lambdaContext(remainingMs: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'compute',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:compute',
    memoryLimitInMB: '1024',
    awsRequestId: 'test-request',
    logGroupName: 'test',
    logStreamName: 'test',
    getRemainingTimeInMillis: remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The attributes of a received message as name to string value. */
export function attributesOf(message: Message): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, v]) => [name, v.StringValue]),
  );
}

/**
 * What every compute handler under test reads and sends to on the stack: the registered
 * protocols, the patients table, and the update queues (each type's, from the registry) through
 * `sender`. A test spreads it into the handler's deps and adds its own recorder, jobs, results.
 */
export function recomputeOverStack(
  stack: TestStack,
  {
    sender = new SqsBatchSender({ client: stack.sqs }),
    queueUrls = updateQueueUrls(stack),
  }: { sender?: SqsBatchSender; queueUrls?: UpdateQueueUrls } = {},
): Pick<RecomputeDeps, 'protocols' | 'patients' | 'updates'> {
  return {
    protocols: PROTOCOLS,
    patients: new DynamoDbPatientSource(stack.documents, stack.tables.PatientsTable ?? ''),
    updates: new SqsUpdateQueue(sender, queueUrls),
  };
}

/** A queue's URL on the stack by its logical id ('' for a queue the stack does not have). */
export function queueUrlOf(stack: Pick<TestStack, 'queues'>): (logicalId: string) => string {
  return (logicalId) => stack.queues[logicalId]?.url ?? '';
}
