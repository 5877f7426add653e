import type { GroupMembershipUpdate } from '../../schemas';
import {
  type CreateMembershipResult,
  isNewerStamp,
  type MembershipKey,
  type MembershipStamp,
  type MembershipStore,
} from '../store';
import { mapWithConcurrency } from './concurrency';
import type { ApplyResult, RejectionCode } from './outcomes';
import type { UpdateMetadata } from './update-metadata';

/** An entry's fate; rejections are the create transaction's refusals. */
export type EntryOutcome =
  | 'applied'
  | 'no-op'
  | 'stale'
  | Exclude<CreateMembershipResult, 'created' | 'exists'>;

/** Thrown when writers keep racing on one item; transient, so the record is retried. */
export class MembershipContentionError extends Error {
  override readonly name = 'MembershipContentionError';
}

/** Rounds of "the item changed under us" before giving up for this delivery. */
const MAX_ROUNDS = 5;

/**
 * Ensures one membership state with conditional writes only. Steady state (the item already holds
 * the state) is one write that records the newer version; a change of state is a failed write that
 * returns the stored item and one transition; a first write is one transaction that also checks
 * the group and the patient. Older stamps never override newer state.
 */
export async function ensureMembership(
  store: MembershipStore,
  key: MembershipKey,
  active: boolean,
  stamp: MembershipStamp,
): Promise<EntryOutcome> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const confirmed = await store.confirm(key, active, stamp);
    if (confirmed.written) return 'no-op';
    const current = confirmed.current;

    if (current === undefined) {
      const created = await store.create(key, active, stamp);
      if (created === 'created') return 'applied';
      if (created === 'exists') continue; // lost the race to create: judge against the winner
      return created;
    }

    if (!isNewerStamp(stamp, current)) {
      // Same stamp: this very update was applied before (a redelivery).
      const same = current.version === stamp.version && current.lastUpdateId === stamp.updateId;
      return same ? 'no-op' : 'stale';
    }
    if (current.active === active) continue; // changed between the two reads of the condition

    const moved = await store.transition(key, active, stamp);
    if (moved.written) return 'applied';
    // Someone wrote in between: start over against what is stored now.
  }
  throw new MembershipContentionError(
    `membership kept changing during ${MAX_ROUNDS} rounds of conditional writes`,
  );
}

export interface GroupApplierDeps {
  memberships: MembershipStore;
  now: () => Date;
  /** Entries of one message written at once. */
  entryConcurrency?: number;
}

const REJECTION_ORDER: readonly RejectionCode[] = [
  'unknown-group',
  'inactive-group',
  'unknown-patient',
];

/**
 * Applies a Group update: every entry is ensured on its own (one item each). When a patient is
 * listed more than once, the last entry counts, as if the list were applied in order.
 */
export async function applyGroupMembership(
  update: GroupMembershipUpdate,
  meta: UpdateMetadata,
  deps: GroupApplierDeps,
): Promise<ApplyResult> {
  const groupId = update.integration_payload.externally_exposable_id;
  const entries = update.integration_payload.members.entries;
  const lastIndexByPatient = new Map<string, number>();
  entries.forEach((entry, index) => {
    lastIndexByPatient.set(entry.uuid, index);
  });
  const indexes = [...lastIndexByPatient.values()].sort((a, b) => a - b);

  const stamp: MembershipStamp = {
    version: meta.version,
    updateId: meta.updateId,
    at: deps.now().toISOString(),
    ...(meta.protocol === undefined ? {} : { protocol: meta.protocol }),
  };
  const outcomes = await mapWithConcurrency(indexes, deps.entryConcurrency ?? 10, (index) => {
    const entry = entries[index];
    if (!entry) throw new Error(`entry ${index} vanished`);
    return ensureMembership(
      deps.memberships,
      { groupId, patientKey: entry.uuid },
      entry.inactive !== true,
      stamp,
    );
  });

  const subject = { groupId };
  const rejected = indexes
    .map((index, i) => ({ index, outcome: outcomes[i] as EntryOutcome }))
    .filter((r): r is { index: number; outcome: RejectionCode & EntryOutcome } =>
      REJECTION_ORDER.includes(r.outcome as RejectionCode),
    );
  if (rejected.length > 0) {
    const code =
      REJECTION_ORDER.find((c) => rejected.some((r) => r.outcome === c)) ?? 'unknown-patient';
    const listed = rejected.map((r) => `entries[${r.index}]: ${r.outcome}`).join(', ');
    const others = indexes.length - rejected.length;
    const what =
      code === 'unknown-group'
        ? 'the group does not exist'
        : code === 'inactive-group'
          ? 'the group is inactive'
          : 'a patient does not exist';
    const rest = others > 0 ? `the other ${others} were processed` : 'nothing was written';
    const detail = `${what}: ${rejected.length} of ${indexes.length} entries refused (${listed}); ${rest}`;
    return { outcome: 'rejected', rejection: { code, detail }, subject };
  }
  const outcome = outcomes.includes('applied')
    ? 'applied'
    : outcomes.includes('no-op')
      ? 'no-op'
      : 'stale';
  return { outcome, subject };
}
