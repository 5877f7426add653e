import '../support/quiet-sdk-warning';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { capacitySince, totalUnits } from '../../bench/capacity-counter';
import { countedClients } from '../../bench/counted-clients';
import { handler } from '../../handlers/apply-group-membership';
import { batchPutItems } from '../../lib/aws/table-items';
import {
  createTaskPayload,
  ensurePatientInGroup,
  ensurePatientNotInGroup,
} from '../../lib/update-helpers';
import type { GroupMembershipUpdate } from '../../schemas';
import type { TestStack } from '../support/local-stack';
import { seedGroup, seedPatient } from '../support/seed';
import {
  drain,
  type QueueRef,
  receiveEvent,
  rejectionReasons,
  sendUpdate,
  settle,
  takeAll,
} from '../support/sqs-driver';
import { storedItem } from '../support/table-reads';
import { useApplierQueue } from '../support/use-applier-queue';

const applier = useApplierQueue('Group');
let stack: TestStack;
let queue: QueueRef;
let dlq: QueueRef;

beforeAll(async () => {
  ({ stack, queue, dlq } = applier());
  await seedGroup(stack, 'group-1', 'Diabetes follow-up');
  await seedGroup(stack, 'group-closed', 'Old programme', false);
});

const membership = (groupId: string, patientKey: string) =>
  storedItem(stack, 'MembershipsTable', { groupId, patientKey });

const T0 = 1_700_000_000_000;

/** The real applier and store with a recorder the test reads (the handler logs instead). */
function recordingApplier() {
  const { recorder, handle } = applier().recordingApplier();
  const outcomes = () =>
    Object.fromEntries(recorder.results.map((r) => [r.updateId, [r.outcome, r.reason]]));
  return { recorder, outcomes, handle };
}

/** One Group message with several entries: `[patientKey, active]` each. */
function groupUpdate(groupId: string, entries: [string, boolean][]): GroupMembershipUpdate {
  const update = ensurePatientInGroup('placeholder', groupId);
  update.integration_payload.members.entries = entries.map(([uuid, active]) =>
    active ? { uuid } : { uuid, inactive: true },
  );
  return update;
}

/** The patient keys the `activeMembers` index lists for a group (the operator's members view). */
async function indexedMembers(groupId: string): Promise<string[]> {
  const { Items } = await stack.documents.send(
    new QueryCommand({
      TableName: stack.tables.MembershipsTable,
      IndexName: 'activeMembers',
      KeyConditionExpression: 'activeGroupId = :g',
      ExpressionAttributeValues: { ':g': groupId },
    }),
  );
  return (Items ?? []).map((item) => String(item.patientKey));
}

const details = (messages: Awaited<ReturnType<typeof takeAll>>) =>
  messages.map((m) => m.MessageAttributes?.['rejection-detail']?.StringValue);

describe('group membership applier (DynamoDB Local, local SQS)', () => {
  it('applies, deactivates, ignores stale and keeps history', async () => {
    await seedPatient(stack, 'p-flow');
    const { outcomes, handle } = recordingApplier();
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-flow', 'group-1'), {
      updateId: 'f-1',
      computedAt: T0,
    });
    await drain(stack.sqs, queue, handle);
    const added = await membership('group-1', 'p-flow');

    await sendUpdate(stack.sqs, queue, ensurePatientNotInGroup('p-flow', 'group-1'), {
      updateId: 'f-3',
      computedAt: T0 + 3,
    });
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-flow', 'group-1'), {
      updateId: 'f-2',
      computedAt: T0 + 2,
    });
    await drain(stack.sqs, queue, handle, { batchSize: 1 });

    // By update id: the "in" computed before the "not in" is stale whatever the delivery order.
    expect(outcomes()).toEqual({
      'f-1': ['applied', undefined],
      'f-3': ['applied', undefined],
      'f-2': ['stale', undefined],
    });
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
    const { recorder, handle } = recordingApplier();
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-dup', 'group-1'), {
      updateId: 'd-1',
      computedAt: T0,
    });
    const event = await receiveEvent(stack.sqs, queue);

    const responses = [];
    const states = [];
    for (let i = 0; i < 5; i++) {
      responses.push(await handle(event));
      states.push(await membership('group-1', 'p-dup'));
    }
    await settle(stack.sqs, queue, event, responses[4] ?? { batchItemFailures: [] });

    expect(responses.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    expect(recorder.results.map((r) => r.outcome)).toEqual([
      'applied',
      'no-op',
      'no-op',
      'no-op',
      'no-op',
    ]);
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
    expect(rejectionReasons(dead)).toEqual([code]);
    expect(await membership('group-nope', 'p-known')).toBeUndefined();
    expect(await membership('group-closed', 'p-known')).toBeUndefined();
    expect(await membership('group-1', 'p-nobody')).toBeUndefined();
  });
});

describe('membership history', () => {
  it('keeps every closed period across reactivations, and a redelivered deactivation appends none', async () => {
    await seedPatient(stack, 'p-hist');
    const { recorder, handle } = recordingApplier();
    const step = async (body: unknown, updateId: string, computedAt: number, deliveries = 1) => {
      await sendUpdate(stack.sqs, queue, body, { updateId, computedAt });
      const event = await receiveEvent(stack.sqs, queue);
      let response = await handle(event);
      for (let i = 1; i < deliveries; i++) response = await handle(event);
      await settle(stack.sqs, queue, event, response);
      return {
        item: await membership('group-1', 'p-hist'),
        members: await indexedMembers('group-1'),
      };
    };

    const joined = await step(ensurePatientInGroup('p-hist', 'group-1'), 'h-1', T0);
    const left = await step(ensurePatientNotInGroup('p-hist', 'group-1'), 'h-2', T0 + 1, 2);
    const back = await step(ensurePatientInGroup('p-hist', 'group-1'), 'h-3', T0 + 2);
    const leftAgain = await step(ensurePatientNotInGroup('p-hist', 'group-1'), 'h-4', T0 + 3);

    expect(recorder.results.map((r) => [r.updateId, r.outcome])).toEqual([
      ['h-1', 'applied'],
      ['h-2', 'applied'],
      ['h-2', 'no-op'],
      ['h-3', 'applied'],
      ['h-4', 'applied'],
    ]);
    expect(left.item?.periods).toEqual([
      { startedAt: joined.item?.startedAt, endedAt: left.item?.endedAt, endedByUpdateId: 'h-2' },
    ]);
    expect(back.item).toMatchObject({ active: true, periods: left.item?.periods });
    expect(back.item?.endedAt).toBeUndefined();
    expect(leftAgain.item?.periods).toEqual([
      { startedAt: joined.item?.startedAt, endedAt: left.item?.endedAt, endedByUpdateId: 'h-2' },
      { startedAt: back.item?.startedAt, endedAt: leftAgain.item?.endedAt, endedByUpdateId: 'h-4' },
    ]);
    // The activeMembers index follows the state: in, out, in, out.
    expect([joined, left, back, leftAgain].map((s) => s.members.includes('p-hist'))).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});

describe('messages with several entries: all or nothing', () => {
  it.each([
    {
      what: 'an unknown patient',
      groupId: 'group-1',
      entries: [
        ['p-all-1', true],
        ['p-all-nobody', true],
        ['p-all-3', false],
      ] as [string, boolean][],
      code: 'unknown-patient',
      detail: 'the patient of entries[1].uuid does not exist: 1 of 3 patients refused',
    },
    {
      what: 'an "in" for an inactive group',
      groupId: 'group-closed',
      entries: [
        ['p-all-1', false],
        ['p-all-2', true],
        ['p-all-3', true],
      ] as [string, boolean][],
      code: 'inactive-group',
      detail:
        'the group is inactive and entries[1] ensures an active member: 2 of 3 patients refused',
    },
    {
      what: 'an unknown group',
      groupId: 'group-missing',
      entries: [
        ['p-all-1', true],
        ['p-all-2', false],
        ['p-all-3', true],
      ] as [string, boolean][],
      code: 'unknown-group',
      detail:
        'integration_payload.externally_exposable_id) does not exist: 3 of 3 patients refused',
    },
  ])('dead-letters a 3-entry message with $what and writes none of it', async (c) => {
    for (const key of ['p-all-1', 'p-all-2', 'p-all-3']) await seedPatient(stack, key);
    const { outcomes, handle } = recordingApplier();
    await sendUpdate(stack.sqs, queue, groupUpdate(c.groupId, c.entries), { updateId: 'all-1' });

    const responses = await drain(stack.sqs, queue, handle);

    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(outcomes()).toEqual({ 'all-1': ['rejected', c.code] });
    const dead = await takeAll(stack.sqs, dlq);
    expect(rejectionReasons(dead)).toEqual([c.code]);
    expect(details(dead)[0]).toContain(c.detail);
    expect(details(dead)[0]).toContain('nothing was written');
    expect(details(dead)[0]).not.toContain('p-all');
    for (const [key] of c.entries) expect(await membership(c.groupId, key)).toBeUndefined();
  });

  it("reads a full message's group and 100 patients across BatchGetItem's 100-key limit", async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `p-many-${String(i).padStart(3, '0')}`);
    await batchPutItems(
      stack.documents,
      stack.tables.PatientsTable as string,
      keys.slice(1).map((patientKey) => ({ patientKey, data: {} })),
    );
    const store = applier().store();

    const references = await store.readReferences('group-1', keys);

    expect(references.group).toEqual({ active: true });
    expect([...references.existingPatients].sort()).toEqual(keys.slice(1));
  });

  it('applies every entry of a valid 3-entry message', async () => {
    for (const key of ['p-ok-1', 'p-ok-2', 'p-ok-3']) await seedPatient(stack, key);
    const { outcomes, handle } = recordingApplier();
    const entries: [string, boolean][] = [
      ['p-ok-1', true],
      ['p-ok-2', false],
      ['p-ok-3', true],
    ];
    await sendUpdate(stack.sqs, queue, groupUpdate('group-1', entries), {
      updateId: 'ok-1',
      computedAt: T0,
    });

    await drain(stack.sqs, queue, handle);

    expect(outcomes()).toEqual({ 'ok-1': ['applied', undefined] });
    for (const [key, active] of entries)
      expect(await membership('group-1', key)).toMatchObject({ active, version: T0 });
    expect(await indexedMembers('group-1')).toEqual(expect.arrayContaining(['p-ok-1', 'p-ok-3']));
    expect(await indexedMembers('group-1')).not.toContain('p-ok-2');
    expect(await takeAll(stack.sqs, dlq)).toEqual([]);
  });

  it('judges members of a since-deactivated group as one entry would: confirmed, newcomers refused', async () => {
    await seedGroup(stack, 'group-later-closed', 'Closing soon');
    for (const key of ['p-old-1', 'p-old-2', 'p-new']) await seedPatient(stack, key);
    const { outcomes, handle } = recordingApplier();
    await sendUpdate(
      stack.sqs,
      queue,
      groupUpdate('group-later-closed', [
        ['p-old-1', true],
        ['p-old-2', true],
      ]),
      { updateId: 'lc-1', computedAt: T0 },
    );
    await drain(stack.sqs, queue, handle);
    await seedGroup(stack, 'group-later-closed', 'Closing soon', false);

    const both = groupUpdate('group-later-closed', [
      ['p-old-1', true],
      ['p-old-2', true],
    ]);
    await sendUpdate(stack.sqs, queue, both, { updateId: 'lc-2', computedAt: T0 + 1 });
    await drain(stack.sqs, queue, handle);
    const withNewcomer = groupUpdate('group-later-closed', [
      ['p-old-1', true],
      ['p-new', true],
    ]);
    await sendUpdate(stack.sqs, queue, withNewcomer, { updateId: 'lc-3', computedAt: T0 + 2 });
    await drain(stack.sqs, queue, handle);

    expect(outcomes()).toEqual({
      'lc-1': ['applied', undefined],
      'lc-2': ['no-op', undefined],
      'lc-3': ['rejected', 'inactive-group'],
    });
    expect(details(await takeAll(stack.sqs, dlq))).toEqual([
      expect.stringContaining('entries[1] ensures an active member'),
    ]);
    // lc-3 wrote nothing: p-old-1 keeps lc-2's version, p-new has no item.
    expect(await membership('group-later-closed', 'p-old-1')).toMatchObject({
      active: true,
      lastUpdateId: 'lc-2',
    });
    expect(await membership('group-later-closed', 'p-new')).toBeUndefined();
  });
});

describe('inactive groups', () => {
  it('refuses to take a former member back into a group deactivated since, writing nothing', async () => {
    await seedGroup(stack, 'group-retiring', 'Retiring');
    await seedPatient(stack, 'p-former');
    const { outcomes, handle } = recordingApplier();
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-former', 'group-retiring'), {
      updateId: 'r-1',
      computedAt: T0,
    });
    await sendUpdate(stack.sqs, queue, ensurePatientNotInGroup('p-former', 'group-retiring'), {
      updateId: 'r-2',
      computedAt: T0 + 1,
    });
    await drain(stack.sqs, queue, handle, { batchSize: 1 });
    await seedGroup(stack, 'group-retiring', 'Retiring', false);
    const before = await membership('group-retiring', 'p-former');

    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-former', 'group-retiring'), {
      updateId: 'r-3',
      computedAt: T0 + 2,
    });
    await drain(stack.sqs, queue, handle);

    expect(outcomes()).toEqual({
      'r-1': ['applied', undefined],
      'r-2': ['applied', undefined],
      'r-3': ['rejected', 'inactive-group'],
    });
    expect(rejectionReasons(await takeAll(stack.sqs, dlq))).toEqual(['inactive-group']);
    expect(before).toMatchObject({ active: false, lastUpdateId: 'r-2' });
    expect(await membership('group-retiring', 'p-former')).toEqual(before);
    expect(await indexedMembers('group-retiring')).toEqual([]);
  });

  it('confirms without re-checking a member who stayed active in a group deactivated since', async () => {
    await seedGroup(stack, 'group-fading', 'Fading');
    await seedPatient(stack, 'p-stayed');
    const { outcomes, handle } = recordingApplier();
    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-stayed', 'group-fading'), {
      updateId: 'fa-1',
      computedAt: T0,
    });
    await drain(stack.sqs, queue, handle);
    await seedGroup(stack, 'group-fading', 'Fading', false);

    await sendUpdate(stack.sqs, queue, ensurePatientInGroup('p-stayed', 'group-fading'), {
      updateId: 'fa-2',
      computedAt: T0 + 1,
    });
    await drain(stack.sqs, queue, handle);

    // Documented (docs/data-model.md): the steady state stays one write and reads no group.
    expect(outcomes()).toEqual({ 'fa-1': ['applied', undefined], 'fa-2': ['no-op', undefined] });
    expect(await membership('group-fading', 'p-stayed')).toMatchObject({
      active: true,
      lastUpdateId: 'fa-2',
    });
  });
});

describe('write cost', () => {
  it('confirms an active membership with one write unit on the table and none on an index', async () => {
    await seedPatient(stack, 'p-cost');
    const clients = countedClients({
      dynamodb: stack.dynamodbEndpoint,
      sqs: stack.sqsEndpoint,
    });
    const store = applier().store(clients);
    const key = { groupId: 'group-1', patientKey: 'p-cost' };
    const stamp = (n: number) => ({
      version: T0 + n,
      updateId: `c-${n}`,
      at: new Date(T0 + n).toISOString(),
    });
    try {
      await store.create(key, true, stamp(0));

      const before = clients.capacity.snapshot();
      const confirmed = await store.confirm(key, true, stamp(1));
      const afterConfirm = clients.capacity.snapshot();
      await store.transition(key, false, stamp(2), {
        active: true,
        version: T0 + 1,
        lastUpdateId: 'c-1',
        startedAt: stamp(0).at,
      });
      const deactivation = capacitySince(afterConfirm, clients.capacity.snapshot());

      expect(confirmed).toEqual({ written: true });
      expect(capacitySince(before, afterConfirm)).toEqual({
        UpdateItemCommand: expect.objectContaining({ tableUnits: 1, indexUnits: 0 }),
      });
      // The counter does see index writes: a deactivation leaves both indexes' entries changed.
      expect(deactivation.UpdateItemCommand?.indexUnits).toBeGreaterThan(0);
      expect(totalUnits(deactivation)).toBeGreaterThan(1);
    } finally {
      clients.destroy();
    }
  });
});
