import '../support/quiet-sdk-warning';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { handler } from '../../handlers/apply-group-membership';
import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
} from '../../lib/update-helpers';
import type { TestStack } from '../support/local-stack';
import { seedGroup, seedPatient } from '../support/seed';
import {
  drain,
  type QueueRef,
  receiveEvent,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { useTestStack } from '../support/use-test-stack';

const testStack = useTestStack();
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;

beforeAll(async () => {
  stack = testStack();
  queue = stack.queues.GroupUpdatesQueue as QueueRef;
  dlq = stack.queues.GroupUpdatesDeadLetterQueue as QueueRef;
  await seedGroup(stack, 'group-1', 'Diabetes follow-up');
  await seedGroup(stack, 'group-closed', 'Old programme', false);
});

async function membership(groupId: string, patientKey: string) {
  const { Item } = await stack.documents.send(
    new GetCommand({
      TableName: stack.tables.MembershipsTable,
      Key: { groupId, patientKey },
      ConsistentRead: true,
    }),
  );
  return Item;
}

const T0 = 1_700_000_000_000;

describe('group membership applier (DynamoDB Local, local SQS)', () => {
  it('applies, deactivates, ignores stale and keeps history', async () => {
    await seedPatient(stack, 'p-flow');
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-flow', 'group-1'), {
      updateId: 'f-1',
      computedAt: T0,
    });
    await drain(stack.sqs, queue, handler);
    const added = await membership('group-1', 'p-flow');

    await sendUpdate(stack.sqs, queue, ensurePatientNotInGroup('p-flow', 'group-1'), {
      updateId: 'f-3',
      computedAt: T0 + 3,
    });
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-flow', 'group-1'), {
      updateId: 'f-2',
      computedAt: T0 + 2,
    });
    await drain(stack.sqs, queue, handler, { batchSize: 1 });

    expect(added).toMatchObject({
      active: true,
      version: T0,
      lastUpdateId: 'f-1',
      startedAt: expect.any(String),
    });
    expect(await membership('group-1', 'p-flow')).toMatchObject({
      active: false,
      version: T0 + 3,
      lastUpdateId: 'f-3',
      startedAt: added?.startedAt,
      endedAt: expect.any(String),
    });
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('gives one effect for a message delivered five times', async () => {
    await seedPatient(stack, 'p-dup');
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-dup', 'group-1'), {
      updateId: 'd-1',
      computedAt: T0,
    });
    const event = await receiveEvent(stack.sqs, queue);

    const responses = [];
    const states = [];
    for (let i = 0; i < 5; i++) {
      responses.push(await handler(event));
      states.push(await membership('group-1', 'p-dup'));
    }
    await settle(stack.sqs, queue, event, responses[4] ?? { batchItemFailures: [] });

    expect(responses.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    expect(new Set(states.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(states[0]).toMatchObject({ active: true, lastUpdateId: 'd-1' });
  });

  it('ends in the newest state for shuffled, duplicated in/not-in updates', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({ active: fc.boolean(), version: fc.integer({ min: 0, max: 50 }) }),
          {
            minLength: 1,
            maxLength: 8,
            selector: (u) => u.version,
          },
        ),
        fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
        async (updates, keys) => {
          run += 1;
          const patientKey = `p-shuffle-${run}`;
          await seedPatient(stack, patientKey);
          const deliveries = [...updates, ...updates.filter((_, i) => (keys[i] ?? 0) % 2 === 0)]
            .map((u, i) => ({ u, k: keys[i % keys.length] ?? i }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.u);
          for (const u of deliveries) {
            const body = u.active
              ? ensurePatientInGroup(patientKey, 'group-1')
              : ensurePatientNotInGroup(patientKey, 'group-1');
            await sendUpdate(stack.sqs, queue, body, {
              updateId: `s-${run}-${u.version}`,
              computedAt: T0 + u.version,
            });
          }

          await drain(stack.sqs, queue, handler);

          const newest = updates.reduce((a, b) => (b.version > a.version ? b : a));
          expect(await membership('group-1', patientKey)).toMatchObject({
            active: newest.active,
            version: T0 + newest.version,
          });
        },
      ),
      { numRuns: 12 },
    );
  });

  it('applies a batch around a poison record and dead-letters the poison with its reason', async () => {
    await seedPatient(stack, 'p-batch-1');
    await seedPatient(stack, 'p-batch-2');
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-batch-1', 'group-1'));
    const poisonId = await sendUpdate(stack.sqs, queue, '{"integration_type": "Group", ', {
      updateId: 'poison-1',
      protocol: 'care-gaps',
    });
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-batch-2', 'group-1'));

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect((await membership('group-1', 'p-batch-1'))?.active).toBe(true);
    expect((await membership('group-1', 'p-batch-2'))?.active).toBe(true);
    const dead = await takeAll(stack.sqs, dlq);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.Body).toBe('{"integration_type": "Group", ');
    const attributes = Object.fromEntries(
      Object.entries(dead[0]?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attributes).toEqual({
      'update-id': 'poison-1',
      'computed-at': expect.stringMatching(/^\d+$/),
      protocol: 'care-gaps',
      'rejection-reason': 'invalid-json',
      'rejection-detail': 'the message body is not valid JSON',
      'rejected-at': expect.any(String),
      'source-queue': queue.arn,
      'original-message-id': poisonId,
    });
  });

  it.each([
    ['unknown-group', () => ensurePatientInGroup('p-known', 'group-nope')],
    ['inactive-group', () => ensurePatientInGroup('p-known', 'group-closed')],
    ['unknown-patient', () => ensurePatientInGroup('p-nobody', 'group-1')],
    ['wrong-queue', () => createTaskPayload({ patientKey: 'p-known', createdByKey: 'staff-1' })],
    [
      'schema',
      () => ({ ...ensurePatientInGroup('p-known', 'group-1'), integration_source: 'CLI' }),
    ],
  ])('dead-letters %s, acknowledges it and writes nothing', async (code, body) => {
    await seedPatient(stack, 'p-known');
    await sendUpdate(stack.sqs, queue, body());

    const responses = await drain(stack.sqs, queue, handler);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const dead = await takeAll(stack.sqs, dlq);
    expect(dead.map((m) => m.MessageAttributes?.['rejection-reason']?.StringValue)).toEqual([code]);
    expect(await membership('group-nope', 'p-known')).toBeUndefined();
    expect(await membership('group-closed', 'p-known')).toBeUndefined();
    expect(await membership('group-1', 'p-nobody')).toBeUndefined();
  });
});
