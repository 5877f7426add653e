import '../support/quiet-sdk-warning';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { PowertoolsComputeRecorder } from '../../lib/aws/compute-telemetry';
import { DynamoDbPatientSource } from '../../lib/aws/dynamodb-patient-source';
import { SqsBatchSender } from '../../lib/aws/sqs-batch-sender';
import { SqsUpdateQueue } from '../../lib/aws/sqs-update-queue';
import { batchPutItems, patientItem } from '../../lib/aws/table-items';
import { createComputeOnChangeHandler } from '../../lib/compute';
import { PROTOCOLS } from '../../protocols';
import type { TestStack } from '../support/local-stack';
import { captureOutput, consume, queueDepth, size } from '../support/reliability';
import { type QueueRef, takeAll } from '../support/sqs-driver';
import { updateQueueUrls } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';
import {
  CANARY_KEY,
  CANARY_MODEL,
  generateHostileChangeEvents,
  HOSTILE_CHANGE_PATIENTS,
} from './hostile-change-events';

// Generated change events (valid ones among them) go through local SQS and the real
// computeOnChange handler over DynamoDB Local. Every one either computes once or is rejected, on
// every delivery, with the reason its kind determines, and then sits in the changes DLQ as sent
// (the redrive policy's maxReceiveCount). The handler never throws, the logs never name an
// unknown key or model, nothing pollutes a prototype.

const COUNT = size(1_000, 5_000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_201);

const testStack = useTestStack({ quiet: false });
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
  await batchPutItems(
    stack.documents,
    stack.tables.PatientsTable as string,
    HOSTILE_CHANGE_PATIENTS.map((key) =>
      patientItem(
        {
          patient: {
            key,
            firstName: 'Hostile',
            lastName: 'Test',
            birthDate: '1970-01-01',
            sex: 'F',
          },
        },
        new Date().toISOString(),
      ),
    ),
  );
});

function prototypeSnapshot() {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  );
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe(`hostile change events (${COUNT} generated, seed ${SEED})`, () => {
  it('computes every valid one once, rejects every other with its reason into the DLQ, never crashes', async () => {
    const events = generateHostileChangeEvents(COUNT, SEED);
    const changes = stack.queues.ChangesQueue as QueueRef;
    const handler = createComputeOnChangeHandler(() => ({
      protocols: PROTOCOLS,
      patients: new DynamoDbPatientSource(stack.documents, stack.tables.PatientsTable as string),
      updates: new SqsUpdateQueue(
        new SqsBatchSender({ client: stack.sqs }),
        updateQueueUrls(stack),
      ),
      recorder: new PowertoolsComputeRecorder(
        new Logger({ serviceName: 'hostile-change-events', logLevel: 'INFO' }),
        new Metrics({ namespace: 'Test', serviceName: 'hostile-change-events' }),
      ),
    }));
    const prototypesBefore = prototypeSnapshot();

    // One SendMessage each (bodies run to ~200 KB), remembering which message id is which event.
    const indexOf = new Map<string, number>();
    let next = 0;
    const sender = async () => {
      while (next < events.length) {
        const index = next++;
        const { MessageId } = await stack.sqs.send(
          new SendMessageCommand({ QueueUrl: changes.url, MessageBody: events[index]?.body }),
        );
        indexOf.set(String(MessageId), index);
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    expect(indexOf.size).toBe(COUNT);

    const output = captureOutput();
    let lines: string[];
    let stats: Awaited<ReturnType<typeof consume>>;
    try {
      stats = await consume(
        stack.sqs,
        changes,
        (event: SQSEvent) => handler(event, { getRemainingTimeInMillis: () => 300_000 } as never),
        { concurrency: 3, batchSize: 10, retryAfterSeconds: 0 },
      );
    } finally {
      lines = output.lines;
      output.restore();
    }

    // No crash: the handler never threw; the queue is empty.
    expect(stats.handlerErrors).toBe(0);
    expect(await queueDepth(stack.sqs, changes)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    // Each event's outcome, from the handler's log lines (one per delivery).
    const json = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const recomputed = json.filter((l) => l.message === 'change recomputed');
    const rejected = json.filter((l) => l.message === 'change event rejected');
    const outcomes = new Map<number, string[]>();
    for (const line of [...recomputed, ...rejected]) {
      const index = indexOf.get(String(line.messageId));
      if (index === undefined) throw new Error('a log line for a message that was not sent');
      const outcome = line.message === 'change recomputed' ? 'computed' : String(line.reason);
      outcomes.set(index, [...(outcomes.get(index) ?? []), outcome]);
    }
    const wrong: string[] = [];
    events.forEach((event, index) => {
      const seen = outcomes.get(index) ?? [];
      const ok =
        event.expected === 'computed'
          ? seen.length === 1 && seen[0] === 'computed'
          : seen.length >= 1 && seen.every((outcome) => outcome === event.expected);
      if (!ok)
        wrong.push(`#${index} ${event.kind}: expected ${event.expected}, saw ${seen.join(',')}`);
    });
    expect(wrong).toEqual([]);
    for (const line of rejected) expect(String(line.detail).length).toBeLessThanOrEqual(1_000);
    // Unknown keys were counted where they were sent.
    const unknownKeyEvents = recomputed.filter((l) => {
      const kind = events[indexOf.get(String(l.messageId)) ?? -1]?.kind;
      return kind === 'unknown-keys' || kind === 'deep-unknown' || kind === 'huge-unknown';
    });
    expect(unknownKeyEvents.length).toBeGreaterThan(0);
    expect(unknownKeyEvents.every((l) => Number(l.unknownFieldChangesKeys) >= 1)).toBe(true);

    // Every rejected event is in the changes DLQ, once, byte for byte.
    const dead = await takeAll(stack.sqs, stack.queues.ChangesDeadLetterQueue as QueueRef);
    const expectedDead = events.filter((e) => e.expected !== 'computed').map((e) => e.body);
    expect(dead).toHaveLength(expectedDead.length);
    expect(countBy(dead.map((m) => String(m.Body)))).toEqual(countBy(expectedDead));

    // The logs never name an unknown key or model (they are counted).
    expect(
      lines.filter((line) => line.includes(CANARY_KEY) || line.includes(CANARY_MODEL)),
    ).toEqual([]);
    // No prototype pollution.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeSnapshot()).toEqual(prototypesBefore);
    // The run covers what it claims: every kind, and valid ones in number.
    expect(new Set(events.map((e) => e.kind)).size).toBe(13);
    expect(events.filter((e) => e.expected === 'computed').length).toBeGreaterThan(COUNT / 3);
  }, 600_000);
});
