import '../support/quiet-sdk-warning';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as groupHandler } from '../../handlers/apply-group-membership';
import { handler as taskHandler } from '../../handlers/apply-task';
import type { TestStack } from '../support/local-stack';
import {
  consume,
  type Outgoing,
  queueDepth,
  seedPatients,
  sendAll,
  size,
  stringAttributes,
} from '../support/reliability';
import { seedGroup } from '../support/seed';
import { takeAll } from '../support/sqs-driver';
import { typeDeadLetterQueue, typeQueue } from '../support/type-queues';
import { useTestStack } from '../support/use-test-stack';
import {
  generateHostileMessages,
  HOSTILE_GROUP,
  HOSTILE_TASK_PATIENT,
  type HostileMessage,
} from './hostile-bodies';

// Generated hostile bodies (and valid ones among them) go through local SQS and the real
// handlers. Every invalid body is dead-lettered with the reason its kind determines, every valid
// one is applied, nothing is reported as a failure, the handler never throws, nothing pollutes
// Object.prototype.

const COUNT = size(1_000, 5_000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20_240_131);

const testStack = useTestStack();
let stack: TestStack;

beforeAll(async () => {
  stack = testStack();
  await seedGroup(stack, HOSTILE_GROUP, 'Hostile group');
});

function prototypeSnapshot() {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  );
}

describe(`hostile input (${COUNT} generated bodies, seed ${SEED})`, () => {
  it('dead-letters every invalid body with its reason, applies every valid one, never crashes', async () => {
    const messages = generateHostileMessages(COUNT, SEED);
    const updateId = (i: number) => `hostile-${i}`;
    const group = typeQueue(stack, 'Group');
    const task = typeQueue(stack, 'Task');
    const patients = messages.flatMap((m) =>
      m.effect?.type === 'membership' ? [m.effect.patientKey] : [],
    );
    await seedPatients(stack.documents, stack.tables.PatientsTable as string, [
      HOSTILE_TASK_PATIENT,
      ...patients,
    ]);
    const outgoing = (queue: 'Group' | 'Task'): Outgoing[] =>
      messages.flatMap((m, i) =>
        m.queue === queue
          ? [
              {
                body: m.body,
                metadata: { updateId: updateId(i), computedAt: 1_700_000_000_000 + i },
                ...(m.badComputedAt === undefined
                  ? {}
                  : {
                      attributes: {
                        'computed-at': { DataType: 'String', StringValue: m.badComputedAt },
                      },
                    }),
              },
            ]
          : [],
      );
    const prototypesBefore = prototypeSnapshot();

    await Promise.all([
      sendAll(stack.sqs, group, outgoing('Group')),
      sendAll(stack.sqs, task, outgoing('Task')),
    ]);
    const [groupStats, taskStats] = await Promise.all([
      consume(stack.sqs, group, groupHandler, { concurrency: 3 }),
      consume(stack.sqs, task, taskHandler, { concurrency: 3 }),
    ]);

    // No crash: the handler never threw, no record was reported as a failure.
    expect(groupStats.handlerErrors + taskStats.handlerErrors).toBe(0);
    expect(groupStats.failedRecords + taskStats.failedRecords).toBe(0);
    expect(groupStats.records + taskStats.records).toBe(COUNT);
    expect(await queueDepth(stack.sqs, group)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await queueDepth(stack.sqs, task)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    // Every invalid body in its type's DLQ once, with the reason its kind determines.
    const dead = [
      ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Group'))),
      ...(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Task'))),
    ].map(stringAttributes);
    const expectedReasons = new Map<string, string>();
    messages.forEach((m, i) => {
      if (m.expected !== 'valid') expectedReasons.set(updateId(i), `${m.kind}: ${m.expected}`);
    });
    const kindOf = new Map(messages.map((m, i) => [updateId(i), m.kind]));
    const actualReasons = new Map(
      dead.map((a) => [
        String(a['update-id']),
        `${kindOf.get(String(a['update-id']))}: ${a['rejection-reason']}`,
      ]),
    );
    expect(dead).toHaveLength(expectedReasons.size);
    expect(actualReasons).toEqual(expectedReasons);
    for (const attributes of dead) {
      expect(attributes['rejection-detail']?.length ?? 0).toBeLessThanOrEqual(1_000);
    }
    // A message with a bad computed-at keeps its attributes as sent on the DLQ copy.
    const badComputedAt = new Map(
      messages.flatMap((m, i) =>
        m.badComputedAt === undefined ? [] : [[updateId(i), m.badComputedAt] as const],
      ),
    );
    const deadComputedAt = new Map(
      dead
        .filter((a) => badComputedAt.has(String(a['update-id'])))
        .map((a) => [String(a['update-id']), a['computed-at']]),
    );
    expect(badComputedAt.size).toBeGreaterThan(0);
    expect(deadComputedAt).toEqual(badComputedAt);

    // Every valid body applied.
    const valid = messages
      .map((m, i) => ({ m, id: updateId(i) }))
      .filter((x): x is { m: HostileMessage & { effect: object }; id: string } => !!x.m.effect);
    const missing: string[] = [];
    for (const { m, id } of valid) {
      const effect = m.effect as NonNullable<HostileMessage['effect']>;
      const key =
        effect.type === 'membership'
          ? { groupId: effect.groupId, patientKey: effect.patientKey }
          : { patientKey: effect.patientKey, taskId: `update:${id}` };
      const { Item } = await stack.documents.send(
        new GetCommand({
          TableName:
            effect.type === 'membership'
              ? (stack.tables.MembershipsTable as string)
              : (stack.tables.TasksTable as string),
          Key: key,
          ConsistentRead: true,
        }),
      );
      const ok =
        effect.type === 'membership'
          ? Item?.active === effect.active && Item?.lastUpdateId === id
          : Item?.sourceUpdateId === id && Item?.title === effect.title;
      if (!ok) missing.push(`${id} (${m.kind}): ${JSON.stringify(Item)}`);
    }
    expect(valid.length).toBeGreaterThan(COUNT / 10);
    expect(missing).toEqual([]);

    // No prototype pollution.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeSnapshot()).toEqual(prototypesBefore);
    // Every kind was generated (the run covers what it claims).
    expect(new Set(messages.map((m) => m.kind)).size).toBe(16);
  }, 600_000);

  it('never acknowledges an empty body it cannot dead-letter (SQS cannot carry one either way)', async () => {
    // SQS refuses an empty MessageBody, so no queue can deliver one and the record is built here.
    // The applier rejects it as invalid-json; the DLQ send is refused for the same reason, so the
    // record is reported as a failure rather than acknowledged: never dropped silently.
    const queue = typeQueue(stack, 'Task');
    const record = {
      messageId: 'empty-body-1',
      receiptHandle: 'r-1',
      body: '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1700000000000',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '1700000000000',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    };

    const response = await taskHandler({ Records: [record] });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'empty-body-1' }]);
    expect(await takeAll(stack.sqs, typeDeadLetterQueue(stack, 'Task'))).toEqual([]);
  });
});
