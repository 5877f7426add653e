import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { PowertoolsComputeRecorder } from '../../../lib/aws/compute-telemetry';
import { createComputeOnChangeHandler } from '../../../lib/compute';
import type { PatientInput } from '../../../schemas';
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
  sendMessage,
  sqsEventOf,
  testPatient,
} from './compute-test-support';

// A redelivered change event must produce the same messages as its first delivery: same update
// ids (seeded by the SQS message id) and the same `computed-at` and `now` (the time SQS received
// the change, its SentTimestamp), whatever the clock says when it is processed.

/** Patient 0 with a confirmed appointment far ahead, so an appointment change sends a task. */
const patient: PatientInput = withUpcomingAppointments(testPatient(0), [
  { id: 5, startTime: '2099-06-01T09:00:00', providerKey: 'staff-7' },
]);

describe('a redelivered change event (DynamoDB Local + local SQS)', () => {
  const testStack = useTestStack();
  let stack: TestStack;
  let url: (logicalId: string) => string;

  beforeAll(async () => {
    stack = testStack();
    url = queueUrlOf(stack);
    await seedPatients(stack.documents, stack.tables.PatientsTable ?? '', [patient]);
  }, 60_000);

  /** The handler with a clock that moves a year per call, so processing time cannot hide. */
  function handlerWithMovingClock() {
    let year = 2030;
    const now = () => new Date(Date.UTC(year++, 0, 1));
    return createComputeOnChangeHandler(() => ({
      ...recomputeOverStack(stack),
      recorder: new PowertoolsComputeRecorder(
        new Logger({ logLevel: 'SILENT' }),
        new Metrics({ namespace: 'Test' }),
      ),
      now,
    }));
  }

  async function receivedChange(): Promise<Message[]> {
    await sendMessage(stack.sqs, url('ChangesQueue'), {
      patient_key: patient.patient.key,
      model_name: 'appointment',
      created: true,
      deleted: false,
      fields: { start_time: [null, '2099-06-01T09:00:00'] },
      canvas_id: 5,
      external_id: null,
    });
    const messages = await drainQueue(stack.sqs, url('ChangesQueue'));
    expect(messages).toHaveLength(1);
    return messages;
  }

  /** What one delivery of the event put on the task queue: bodies and attributes. */
  async function deliver(handle: ReturnType<typeof handlerWithMovingClock>, event: SQSEvent) {
    const response = await handle(
      event,
      lambdaContext(() => 60_000),
    );
    expect(response.batchItemFailures).toEqual([]);
    return (await drainQueue(stack.sqs, url('TaskQueue'))).map((m) => ({
      body: m.Body,
      attributes: attributesOf(m),
    }));
  }

  it('sends identical bodies and attributes, stamped with the time the change was enqueued', async () => {
    const messages = await receivedChange();
    const event = sqsEventOf(messages, stack.queues.ChangesQueue?.arn ?? '');
    const sentTimestamp = Number(messages[0]?.Attributes?.SentTimestamp);
    expect(Number.isSafeInteger(sentTimestamp)).toBe(true);
    const handle = handlerWithMovingClock();

    const first = await deliver(handle, event);
    const again = await deliver(handle, {
      Records: event.Records.map((r) => ({
        ...r,
        attributes: { ...r.attributes, ApproximateReceiveCount: '2' },
      })),
    });

    expect(first).toHaveLength(1);
    expect(again).toEqual(first);
    expect(first[0]?.attributes['computed-at']).toBe(new Date(sentTimestamp).toISOString());
  });

  it('falls back to the clock when the record carries no valid SentTimestamp', async () => {
    const event = sqsEventOf(await receivedChange(), stack.queues.ChangesQueue?.arn ?? '');
    const withSent = (sent: string | undefined): SQSEvent => ({
      Records: event.Records.map((r) => ({
        ...r,
        attributes: { ...r.attributes, SentTimestamp: sent as string },
      })),
    });
    const handle = handlerWithMovingClock();

    const missing = await deliver(handle, withSent(undefined));
    const garbled = await deliver(handle, withSent('not-a-time'));

    expect(missing[0]?.attributes['computed-at']).toBe('2030-01-01T00:00:00.000Z');
    expect(garbled[0]?.attributes['computed-at']).toBe('2031-01-01T00:00:00.000Z');
  });
});
