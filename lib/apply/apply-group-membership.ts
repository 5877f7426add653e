import type { GroupMembershipUpdate } from '../../schemas';
import {
  isNewerStamp,
  type MembershipKey,
  type MembershipStamp,
  type MembershipStore,
} from '../ports';
import {
  type EntryRefusal,
  type EntryRefusalCode,
  findEntryRefusals,
  isEntryRefusalCode,
  type PlannedEntry,
} from './check-group-entries';
import { mapWithConcurrency } from './concurrency';
import type { ApplyResult } from './outcomes';
import type { UpdateMetadata } from './update-metadata';

/** An entry's fate; rejections are the group's or the create transaction's refusals. */
export type EntryOutcome = 'applied' | 'no-op' | 'stale' | EntryRefusalCode;

/** Thrown when writers keep racing on one item; transient, so the record is retried. */
export class MembershipContentionError extends Error {
  override readonly name = 'MembershipContentionError';
}

/** Rounds of "the item changed under us" before giving up for this delivery. */
const MAX_ROUNDS = 5;

/**
 * Ensures one membership state with conditional writes only. Steady state (the item already holds
 * the state) is one write that records the newer version; a change of state is a failed write that
 * returns the stored item and one transition (an activation also checks the group is active); a
 * first write is one transaction that also checks the group and the patient. Older stamps never
 * override newer state.
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
      // A first "not in" only records the version (a tombstone): the patient was not a member
      // and still is not, so the state did not change.
      if (created === 'created') return active ? 'applied' : 'no-op';
      if (created === 'exists') continue; // lost the race to create: judge against the winner
      return created;
    }

    if (!isNewerStamp(stamp, current)) {
      // Same stamp: this very update was applied before (a redelivery).
      const same = current.version === stamp.version && current.lastUpdateId === stamp.updateId;
      return same ? 'no-op' : 'stale';
    }
    if (current.active === active) continue; // changed between the two reads of the condition

    const moved = await store.transition(key, active, stamp, current);
    if (moved.written) return 'applied';
    if ('refused' in moved) return moved.refused;
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

/** Refused entries listed in a rejection detail; the rest are counted (the detail stays short). */
const LISTED_REFUSALS = 10;

/** The readable reason of the first refusal, naming the field at fault and never its value. */
function refusalReason({ index, code }: EntryRefusal): string {
  switch (code) {
    case 'unknown-group':
      return 'the group (integration_payload.externally_exposable_id) does not exist';
    case 'inactive-group':
      return `the group is inactive and entries[${index}] ensures an active member`;
    case 'unknown-patient':
      return `the patient of entries[${index}].uuid does not exist`;
  }
}

/**
 * A rejection of the message for its first refused entry (by position), listing the others.
 * `patients` and `processed` count patients, not entries: a patient listed twice is ensured once.
 */
function rejectionFor(
  refusals: readonly EntryRefusal[],
  patients: number,
  processed: number,
  subject: { groupId: string },
): ApplyResult {
  const [first] = refusals;
  if (!first) throw new Error('a rejection needs a refused entry');
  const listed = refusals
    .slice(0, LISTED_REFUSALS)
    .map((r) => `entries[${r.index}]: ${r.code}`)
    .join(', ');
  const more =
    refusals.length > LISTED_REFUSALS ? `, and ${refusals.length - LISTED_REFUSALS} more` : '';
  const rest = processed > 0 ? `the other ${processed} were processed` : 'nothing was written';
  return {
    outcome: 'rejected',
    rejection: {
      code: first.code,
      detail: `${refusalReason(first)}: ${refusals.length} of ${patients} patients refused (${listed}${more}); ${rest}`,
    },
    subject,
  };
}

/**
 * Applies a Group update: all its entries or none. One entry is ensured directly (its writes'
 * conditions refuse an unknown group or patient, or an inactive group, writing nothing). Several
 * entries are first checked by reading (`findEntryRefusals`), so one refused entry refuses the
 * message before anything is written; then each entry is ensured on its own item. A patient may
 * be listed more than once (the schema accepts it): the last entry counts, as the kit's consumer
 * applies the entries in order, and the earlier ones are not written.
 */
export async function applyGroupMembership(
  update: GroupMembershipUpdate,
  meta: UpdateMetadata,
  deps: GroupApplierDeps,
): Promise<ApplyResult> {
  const groupId = update.integration_payload.externally_exposable_id;
  const lastIndexByPatient = new Map<string, number>();
  update.integration_payload.members.entries.forEach((entry, index) => {
    lastIndexByPatient.set(entry.uuid, index);
  });
  const planned: PlannedEntry[] = [...lastIndexByPatient.values()]
    .sort((a, b) => a - b)
    .map((index) => {
      const entry = update.integration_payload.members.entries[index];
      if (!entry) throw new Error(`entry ${index} vanished`);
      return { index, patientKey: entry.uuid, active: entry.inactive !== true };
    });

  const stamp: MembershipStamp = {
    version: meta.version,
    updateId: meta.updateId,
    at: deps.now().toISOString(),
    ...(meta.protocol === undefined ? {} : { protocol: meta.protocol }),
  };
  const subject = { groupId };

  if (planned.length > 1) {
    const refusals = await findEntryRefusals(deps.memberships, groupId, planned, stamp);
    if (refusals.length > 0) return rejectionFor(refusals, planned.length, 0, subject);
  }

  const outcomes = await mapWithConcurrency(planned, deps.entryConcurrency ?? 10, (entry) =>
    ensureMembership(
      deps.memberships,
      { groupId, patientKey: entry.patientKey },
      entry.active,
      stamp,
    ),
  );

  // Only a change between the check and the writes gets here with a refusal (or a single entry,
  // where nothing else was written).
  const refusals: EntryRefusal[] = [];
  planned.forEach((entry, i) => {
    const outcome = outcomes[i];
    if (outcome !== undefined && isEntryRefusalCode(outcome))
      refusals.push({ index: entry.index, code: outcome });
  });
  if (refusals.length > 0)
    return rejectionFor(refusals, planned.length, planned.length - refusals.length, subject);

  const outcome = outcomes.includes('applied')
    ? 'applied'
    : outcomes.includes('no-op')
      ? 'no-op'
      : 'stale';
  return { outcome, subject };
}
