import fc from 'fast-check';
import {
  applyGroupMembership,
  ensureMembership,
  MembershipContentionError,
} from '../../../lib/apply/apply-group-membership';
import type { UpdateMetadata } from '../../../lib/apply/update-metadata';
import { ensurePatientInGroup, ensurePatientNotInGroup } from '../../../lib/update-helpers';
import type { GroupMembershipUpdate } from '../../../schemas';
import { FakeMembershipStore } from '../../support/apply-fakes';

const T0 = 1_700_000_000_000;

function world(): FakeMembershipStore {
  const store = new FakeMembershipStore();
  store.groups.set('group-1', { active: true });
  store.groups.set('group-old', { active: false });
  store.patients.add('patient-1');
  store.patients.add('patient-2');
  return store;
}

let clock = 0;
const now = () => new Date(Date.UTC(2024, 0, 1) + ++clock * 1000);

function apply(store: FakeMembershipStore, update: GroupMembershipUpdate, meta: UpdateMetadata) {
  return applyGroupMembership(update, meta, { memberships: store, now });
}

const into = ensurePatientInGroup('patient-1', 'group-1');
const outOf = ensurePatientNotInGroup('patient-1', 'group-1');

describe('applyGroupMembership', () => {
  it('adds a new member with one transaction', async () => {
    const store = world();

    const result = await apply(store, into, { updateId: 'u-1', version: T0 });

    expect(result).toEqual({ outcome: 'applied', subject: { groupId: 'group-1' } });
    expect(store.get('group-1', 'patient-1')).toMatchObject({
      active: true,
      version: T0,
      lastUpdateId: 'u-1',
    });
    expect(store.calls).toEqual(['confirm', 'create']);
  });

  it('is a no-op when the same update is delivered again', async () => {
    const store = world();
    await apply(store, into, { updateId: 'u-1', version: T0 });
    const before = structuredClone(store.get('group-1', 'patient-1'));

    const result = await apply(store, into, { updateId: 'u-1', version: T0 });

    expect(result.outcome).toBe('no-op');
    expect(store.get('group-1', 'patient-1')).toEqual(before);
  });

  it('records a newer computation of the same state with one write', async () => {
    const store = world();
    await apply(store, into, { updateId: 'u-1', version: T0 });
    store.calls.length = 0;

    const result = await apply(store, into, { updateId: 'u-2', version: T0 + 1 });

    expect(result.outcome).toBe('no-op');
    expect(store.calls).toEqual(['confirm']);
    expect(store.get('group-1', 'patient-1')).toMatchObject({
      version: T0 + 1,
      lastUpdateId: 'u-2',
    });
  });

  it('deactivates with an end time and keeps the start', async () => {
    const store = world();
    await apply(store, into, { updateId: 'u-1', version: T0 });
    const startedAt = store.get('group-1', 'patient-1')?.startedAt;

    const result = await apply(store, outOf, { updateId: 'u-2', version: T0 + 1 });

    expect(result.outcome).toBe('applied');
    const item = store.get('group-1', 'patient-1');
    expect(item).toMatchObject({ active: false, startedAt, version: T0 + 1 });
    expect(item?.endedAt).toEqual(expect.any(String));
  });

  it('reactivates with a new start and no end', async () => {
    const store = world();
    await apply(store, into, { updateId: 'u-1', version: T0 });
    await apply(store, outOf, { updateId: 'u-2', version: T0 + 1 });
    const firstStart = store.get('group-1', 'patient-1')?.startedAt;

    await apply(store, into, { updateId: 'u-3', version: T0 + 2 });

    const item = store.get('group-1', 'patient-1');
    expect(item?.active).toBe(true);
    expect(item?.endedAt).toBeUndefined();
    expect(item?.startedAt).not.toBe(firstStart);
  });

  it('ignores an older update that arrives after a newer one', async () => {
    const store = world();
    await apply(store, outOf, { updateId: 'u-2', version: T0 + 1 });

    const result = await apply(store, into, { updateId: 'u-1', version: T0 });

    expect(result.outcome).toBe('stale');
    expect(store.get('group-1', 'patient-1')).toMatchObject({ active: false, version: T0 + 1 });
  });

  it('writes a tombstone for "not in" on a never-member so an older "in" cannot win', async () => {
    const store = world();

    const first = await apply(store, outOf, { updateId: 'u-2', version: T0 + 1 });
    const late = await apply(store, into, { updateId: 'u-1', version: T0 });

    expect(first.outcome).toBe('applied');
    expect(late.outcome).toBe('stale');
    expect(store.get('group-1', 'patient-1')?.active).toBe(false);
    expect(store.get('group-1', 'patient-1')?.startedAt).toBeUndefined();
  });

  it.each([
    ['an unknown group', ensurePatientInGroup('patient-1', 'group-x'), 'unknown-group'],
    ['an inactive group', ensurePatientInGroup('patient-1', 'group-old'), 'inactive-group'],
    ['an unknown patient', ensurePatientInGroup('patient-x', 'group-1'), 'unknown-patient'],
  ])('rejects %s and writes nothing', async (_what, update, code) => {
    const store = world();

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result.outcome === 'rejected' && result.rejection.code).toBe(code);
    expect(store.items.size).toBe(0);
  });

  it('applies each entry and names refused entries by position only', async () => {
    const store = world();
    const update = structuredClone(into);
    update.integration_payload.members.entries = [
      { uuid: 'patient-1' },
      { uuid: 'Jane-Doe-unknown' },
      { uuid: 'patient-2', inactive: true },
    ];

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    expect(result.rejection.code).toBe('unknown-patient');
    expect(result.rejection.detail).toContain('entries[1]: unknown-patient');
    expect(result.rejection.detail).not.toContain('Jane');
    expect(store.get('group-1', 'patient-1')?.active).toBe(true);
    expect(store.get('group-1', 'patient-2')?.active).toBe(false);
  });

  it('lets the last entry win when a patient is listed twice', async () => {
    const store = world();
    const update = structuredClone(into);
    update.integration_payload.members.entries = [
      { uuid: 'patient-1' },
      { uuid: 'patient-1', inactive: true },
    ];

    await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(store.get('group-1', 'patient-1')?.active).toBe(false);
  });

  it('propagates a store failure so the record is retried', async () => {
    const store = world();
    store.beforeWrite = () => {
      throw Object.assign(new Error('down'), { name: 'InternalServerError' });
    };

    await expect(apply(store, into, { updateId: 'u-1', version: T0 })).rejects.toThrow('down');
    expect(store.items.size).toBe(0);
  });
});

describe('ensureMembership', () => {
  const key = { groupId: 'group-1', patientKey: 'patient-1' };
  const stamp = (version: number, updateId: string) => ({
    version,
    updateId,
    at: new Date(version).toISOString(),
  });

  it('judges against the winner when it loses the race to create', async () => {
    const store = world();
    store.beforeWrite = (operation) => {
      if (operation !== 'create' || store.items.size > 0) return;
      // Another consumer creates the item, with a newer "not in", between our two requests.
      store.beforeWrite = undefined;
      void store.create(key, false, stamp(T0 + 5, 'u-other'));
    };

    const outcome = await ensureMembership(store, key, true, stamp(T0, 'u-1'));

    expect(outcome).toBe('stale');
    expect(store.get('group-1', 'patient-1')).toMatchObject({
      active: false,
      lastUpdateId: 'u-other',
    });
  });

  it('gives up with a transient error when the item keeps changing', async () => {
    const store = world();
    await store.create(key, false, stamp(T0, 'u-0'));
    store.beforeWrite = (operation) => {
      // A competing writer always moves the item away from what our next request expects.
      const item = store.get('group-1', 'patient-1');
      if (item) item.active = operation === 'transition';
    };

    await expect(ensureMembership(store, key, true, stamp(T0 + 1, 'u-1'))).rejects.toBeInstanceOf(
      MembershipContentionError,
    );
  });

  it('ends in the state of the newest update for any delivery order and duplication', async () => {
    const update = fc.record({
      active: fc.boolean(),
      version: fc.integer({ min: 0, max: 20 }),
      updateId: fc.constantFrom('a', 'b', 'c', 'd'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(update, {
          minLength: 1,
          maxLength: 12,
          selector: (u) => `${u.version}/${u.updateId}`,
        }),
        fc.func(fc.integer({ min: 0, max: 3 })),
        fc.infiniteStream(fc.nat()),
        async (updates, copies, order) => {
          const store = world();
          // Each update delivered 1..4 times, all deliveries shuffled.
          const deliveries = updates.flatMap((u, i) => Array(1 + copies(i)).fill(u));
          const shuffled = deliveries
            .map((u) => ({ u, k: order.next().value as number }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.u);
          for (const u of shuffled) {
            await ensureMembership(store, key, u.active, stamp(T0 + u.version, u.updateId));
          }
          const newest = [...updates].sort((x, y) =>
            x.version !== y.version ? y.version - x.version : y.updateId.localeCompare(x.updateId),
          )[0];
          const item = store.get('group-1', 'patient-1');
          expect(item).toMatchObject({
            active: newest?.active,
            version: T0 + (newest?.version ?? 0),
            lastUpdateId: newest?.updateId,
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
