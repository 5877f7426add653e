import fc from 'fast-check';
import {
  applyGroupMembership,
  ensureMembership,
  MembershipContentionError,
} from '../../../lib/apply/apply-group-membership';
import { type PlannedEntry, refusalOf } from '../../../lib/apply/check-group-entries';
import type { UpdateMetadata } from '../../../lib/apply/update-metadata';
import type { EntryReferences, MembershipState, MembershipStore } from '../../../lib/ports';
import { ensurePatientInGroup, ensurePatientNotInGroup } from '../../../lib/update-helpers';
import type { GroupMembershipUpdate } from '../../../schemas';
import { FakeMembershipStore } from '../../support/apply-fakes';

const T0 = 1_700_000_000_000;

function world(): FakeMembershipStore {
  const store = new FakeMembershipStore();
  store.groups.set('group-1', { active: true });
  store.groups.set('group-old', { active: false });
  for (const key of ['patient-1', 'patient-2', 'patient-3']) store.patients.add(key);
  return store;
}

/** A Group message with several entries: `[patientKey, active]` each. */
function several(groupId: string, entries: [string, boolean][]): GroupMembershipUpdate {
  const update = structuredClone(ensurePatientInGroup('placeholder', groupId));
  update.integration_payload.members.entries = entries.map(([uuid, active]) =>
    active ? { uuid } : { uuid, inactive: true },
  );
  return update;
}

let clock = 0;
const now = () => new Date(Date.UTC(2024, 0, 1) + ++clock * 1000);

function apply(store: MembershipStore, update: GroupMembershipUpdate, meta: UpdateMetadata) {
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

  it('keeps every closed period, oldest first, across reactivations', async () => {
    const store = world();
    const current = () => store.get('group-1', 'patient-1');
    await apply(store, into, { updateId: 'u-1', version: T0 });
    const firstStart = current()?.startedAt;
    await apply(store, outOf, { updateId: 'u-2', version: T0 + 1 });
    const firstEnd = current()?.endedAt;
    await apply(store, into, { updateId: 'u-3', version: T0 + 2 });
    const secondStart = current()?.startedAt;

    await apply(store, outOf, { updateId: 'u-4', version: T0 + 3 });

    expect(current()?.periods).toEqual([
      { startedAt: firstStart, endedAt: firstEnd, endedByUpdateId: 'u-2' },
      { startedAt: secondStart, endedAt: current()?.endedAt, endedByUpdateId: 'u-4' },
    ]);
  });

  it('closes the period that is stored when a leave and a return land before its deactivation', async () => {
    const store = world();
    const key = { groupId: 'group-1', patientKey: 'patient-1' };
    await apply(store, into, { updateId: 'u-1', version: T0 });
    const joined = store.get('group-1', 'patient-1');
    if (!joined) throw new Error('expected a membership');
    const firstStart = joined.startedAt;
    store.beforeWrite = (operation) => {
      if (operation !== 'transition') return;
      store.beforeWrite = undefined;
      // Another consumer's older "not in" then "in" land between our confirm and our transition.
      const from = { ...joined, startedAt: firstStart };
      void store.transition(key, false, { version: T0 + 1, updateId: 'u-2', at: 'left' }, from);
      void store.transition(key, true, { version: T0 + 2, updateId: 'u-3', at: 'back' }, from);
    };

    const result = await apply(store, outOf, { updateId: 'u-9', version: T0 + 9 });

    expect(result.outcome).toBe('applied');
    const item = store.get('group-1', 'patient-1');
    expect(item?.periods).toEqual([
      { startedAt: firstStart, endedAt: 'left', endedByUpdateId: 'u-2' },
      // The start our first read carried is gone: the period closed is the one stored now.
      { startedAt: 'back', endedAt: item?.endedAt, endedByUpdateId: 'u-9' },
    ]);
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

    // Not a member before, not a member after: the state did not change (docs/queue-contract.md).
    expect(first.outcome).toBe('no-op');
    expect(store.calls).toEqual(['confirm', 'create', 'confirm']);
    expect(late.outcome).toBe('stale');
    expect(store.get('group-1', 'patient-1')?.active).toBe(false);
    expect(store.get('group-1', 'patient-1')?.startedAt).toBeUndefined();
  });

  it.each([
    ['an unknown group', ensurePatientInGroup('patient-1', 'group-x'), 'unknown-group'],
    ['an inactive group', ensurePatientInGroup('patient-1', 'group-old'), 'inactive-group'],
    ['an unknown patient', ensurePatientInGroup('patient-x', 'group-1'), 'unknown-patient'],
  ])('rejects %s and writes nothing, reading nothing first', async (_what, update, code) => {
    const store = world();

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result.outcome === 'rejected' && result.rejection.code).toBe(code);
    expect(store.items.size).toBe(0);
    // One entry: the write's own conditions refuse it; no read on the hot path.
    expect(store.reads).toEqual([]);
  });

  /** patient-1 joined group-2 (u-1, T0) and left it (u-2, T0 + 1); group-2 is inactive since. */
  async function formerMemberOfDeactivatedGroup() {
    const store = world();
    store.groups.set('group-2', { active: true });
    const back = ensurePatientInGroup('patient-1', 'group-2');
    await apply(store, back, { updateId: 'u-1', version: T0 });
    await apply(store, ensurePatientNotInGroup('patient-1', 'group-2'), {
      updateId: 'u-2',
      version: T0 + 1,
    });
    store.groups.set('group-2', { active: false });
    return { store, back };
  }

  it('refuses to take a former member back into a group deactivated since', async () => {
    const { store, back } = await formerMemberOfDeactivatedGroup();

    const result = await apply(store, back, { updateId: 'u-3', version: T0 + 2 });

    expect(result.outcome === 'rejected' && result.rejection.code).toBe('inactive-group');
    expect(store.get('group-2', 'patient-1')).toMatchObject({ active: false, lastUpdateId: 'u-2' });
  });

  it('judges a moved item before the group when an activation races a newer update', async () => {
    const { store, back } = await formerMemberOfDeactivatedGroup();
    store.beforeWrite = (operation) => {
      // A newer "not in" lands between our confirm and our activation.
      const item = store.get('group-2', 'patient-1');
      if (operation === 'transition' && item)
        Object.assign(item, { version: T0 + 5, lastUpdateId: 'u-newer' });
    };

    const result = await apply(store, back, { updateId: 'u-3', version: T0 + 2 });

    // The activation lost to the newer update (stale), whatever the group would have said.
    expect(result.outcome).toBe('stale');
    expect(store.get('group-2', 'patient-1')).toMatchObject({
      active: false,
      lastUpdateId: 'u-newer',
    });
  });

  it('refuses a message with one unknown patient among several, writing none of it', async () => {
    const store = world();
    const update = several('group-1', [
      ['patient-1', true],
      ['Jane-Doe-unknown', true],
      ['patient-2', false],
    ]);

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result).toEqual({
      outcome: 'rejected',
      rejection: {
        code: 'unknown-patient',
        detail:
          'the patient of entries[1].uuid does not exist: 1 of 3 patients refused (entries[1]: unknown-patient); nothing was written',
      },
      subject: { groupId: 'group-1' },
    });
    expect(store.items.size).toBe(0);
    expect(store.calls).toEqual([]);
  });

  it('rejects for the first refused entry by position and lists at most ten', async () => {
    const store = world();
    const entries: [string, boolean][] = Array.from({ length: 14 }, (_, i) => [
      `nobody-${i}`,
      true,
    ]);
    entries.unshift(['patient-1', true]);

    const result = await apply(store, several('group-1', entries), { updateId: 'u', version: T0 });

    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.rejection.detail).toMatch(
      /^the patient of entries\[1\]\.uuid does not exist: 14 of 15 patients refused \(entries\[1\]: unknown-patient, .*entries\[10\]: unknown-patient, and 4 more\); nothing was written$/,
    );
    expect(result.rejection.detail).not.toContain('nobody');
  });

  it('applies a valid message with several entries after one read of group and patients', async () => {
    const store = world();
    const update = several('group-1', [
      ['patient-1', true],
      ['patient-2', false],
      ['patient-3', true],
    ]);

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result.outcome).toBe('applied');
    expect(store.reads).toEqual(['references']);
    expect(store.get('group-1', 'patient-1')?.active).toBe(true);
    expect(store.get('group-1', 'patient-2')?.active).toBe(false);
    expect(store.get('group-1', 'patient-3')?.active).toBe(true);
  });

  it('confirms existing members of a group deactivated since, as single entries would be', async () => {
    const store = world();
    store.groups.set('group-2', { active: true });
    const both = several('group-2', [
      ['patient-1', true],
      ['patient-2', true],
    ]);
    await apply(store, both, { updateId: 'u-1', version: T0 });
    store.groups.set('group-2', { active: false });
    store.reads.length = 0;

    const result = await apply(store, both, { updateId: 'u-2', version: T0 + 1 });

    expect(result.outcome).toBe('no-op');
    // The group read suggested a refusal; the memberships' read lifted it.
    expect(store.reads).toEqual(['references', 'memberships']);
    expect(store.get('group-2', 'patient-2')).toMatchObject({ active: true, lastUpdateId: 'u-2' });
  });

  it('reports what was written when the group is deactivated between the check and the writes', async () => {
    const store = world();
    store.groups.set('group-2', { active: true });
    store.beforeWrite = (operation, key) => {
      // A staff member deactivates the group after the check, before the second entry's write.
      if (operation === 'create' && key.patientKey === 'patient-2')
        store.groups.set('group-2', { active: false });
    };
    const update = several('group-2', [
      ['patient-1', true],
      ['patient-2', true],
    ]);

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result.outcome === 'rejected' && result.rejection).toEqual({
      code: 'inactive-group',
      detail:
        'the group is inactive and entries[1] ensures an active member: 1 of 2 patients refused (entries[1]: inactive-group); the other 1 were processed',
    });
    expect(store.get('group-2', 'patient-1')?.active).toBe(true);
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

  it('counts patients, not entries, when it refuses a message listing a patient twice', async () => {
    const store = world();
    const update = several('group-1', [
      ['patient-1', true],
      ['patient-1', false],
      ['nobody', true],
    ]);

    const result = await apply(store, update, { updateId: 'u-1', version: T0 });

    expect(result.outcome === 'rejected' && result.rejection.detail).toBe(
      'the patient of entries[2].uuid does not exist: 1 of 2 patients refused (entries[2]: unknown-patient); nothing was written',
    );
    expect(store.items.size).toBe(0);
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

describe('refusalOf (what one entry would be refused, given what is stored)', () => {
  const stamp = { version: T0 + 1, updateId: 'u-new' };
  const inEntry: PlannedEntry = { index: 0, patientKey: 'p', active: true };
  const outEntry: PlannedEntry = { index: 0, patientKey: 'p', active: false };
  const refs = (group: { active: boolean } | undefined, patient = true): EntryReferences => ({
    group,
    existingPatients: new Set(patient ? ['p'] : []),
  });
  const stored = (active: boolean, version = T0): MembershipState => ({
    active,
    version,
    lastUpdateId: 'u-old',
  });

  it.each([
    ['no item, unknown group', inEntry, refs(undefined), undefined, 'unknown-group'],
    ['no item, "not in", unknown group', outEntry, refs(undefined), undefined, 'unknown-group'],
    [
      'no item, "in", inactive group',
      inEntry,
      refs({ active: false }),
      undefined,
      'inactive-group',
    ],
    ['no item, "not in", inactive group', outEntry, refs({ active: false }), undefined, undefined],
    [
      'no item, unknown patient',
      outEntry,
      refs({ active: true }, false),
      undefined,
      'unknown-patient',
    ],
    ['no item, all there', inEntry, refs({ active: true }), undefined, undefined],
    [
      'active member, inactive group (confirm)',
      inEntry,
      refs({ active: false }),
      stored(true),
      undefined,
    ],
    [
      'older "in" than a stored "not in" (stale)',
      inEntry,
      refs({ active: false }),
      stored(false, T0 + 2),
      undefined,
    ],
    [
      'newer "in" to an inactive group',
      inEntry,
      refs({ active: false }),
      stored(false),
      'inactive-group',
    ],
    ['newer "in", group gone', inEntry, refs(undefined), stored(false), 'unknown-group'],
    [
      'newer "not in", patient gone',
      outEntry,
      refs({ active: false }, false),
      stored(true),
      undefined,
    ],
  ] as const)('%s', (_what, entry, references, membership, expected) => {
    expect(refusalOf(entry, stamp, references, membership)).toBe(expected);
  });
});
