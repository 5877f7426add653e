import {
  type EntryReferences,
  type GroupRefusal,
  isNewerStamp,
  type MembershipStamp,
  type MembershipState,
  type MembershipStore,
} from '../ports';

/** One entry of a Group message, as the applier ensures it. */
export interface PlannedEntry {
  /** Position in `members.entries`, for the rejection detail (never the patient key). */
  index: number;
  patientKey: string;
  active: boolean;
}

export type EntryRefusalCode = GroupRefusal | 'unknown-patient';

/** Every `EntryRefusalCode`; `satisfies` keeps the two equal. */
const ENTRY_REFUSAL_CODES = {
  'unknown-group': true,
  'inactive-group': true,
  'unknown-patient': true,
} as const satisfies Record<EntryRefusalCode, true>;

/** Whether an entry's outcome is a refusal (the group's or the create transaction's). */
export function isEntryRefusalCode(outcome: string): outcome is EntryRefusalCode {
  return Object.hasOwn(ENTRY_REFUSAL_CODES, outcome);
}

export interface EntryRefusal {
  index: number;
  code: EntryRefusalCode;
}

function groupRefusal(references: EntryReferences, active: boolean): GroupRefusal | undefined {
  if (!references.group) return 'unknown-group';
  return active && !references.group.active ? 'inactive-group' : undefined;
}

/**
 * What the single-entry path (`ensureMembership`) would refuse for this entry, given what is
 * stored. No membership: the create transaction's checks (group, active group for "in", patient).
 * A membership already in the desired state is only confirmed, and an older update is stale:
 * nothing is checked. A newer change of state: an activation checks the group is active; a
 * deactivation checks nothing (the membership proves group and patient existed).
 */
export function refusalOf(
  entry: PlannedEntry,
  stamp: Pick<MembershipStamp, 'version' | 'updateId'>,
  references: EntryReferences,
  membership: MembershipState | undefined,
): EntryRefusalCode | undefined {
  if (!membership) {
    const byGroup = groupRefusal(references, entry.active);
    if (byGroup) return byGroup;
    return references.existingPatients.has(entry.patientKey) ? undefined : 'unknown-patient';
  }
  if (membership.active === entry.active || !isNewerStamp(stamp, membership)) return undefined;
  return entry.active ? groupRefusal(references, true) : undefined;
}

/**
 * The entries the writes would refuse, in the order of `entries` (the applier's is by position),
 * found by reading only: one BatchGetItem of
 * the group and the patients; only if that finds a possible refusal, a second one of those
 * entries' memberships (a membership can only lift a refusal, see `refusalOf`). Empty: every entry
 * can be written. A change between these reads and the writes is not seen here (the writes' own
 * conditions still refuse it; docs/data-model.md).
 */
export async function findEntryRefusals(
  store: MembershipStore,
  groupId: string,
  entries: readonly PlannedEntry[],
  stamp: Pick<MembershipStamp, 'version' | 'updateId'>,
): Promise<EntryRefusal[]> {
  const references = await store.readReferences(
    groupId,
    entries.map((e) => e.patientKey),
  );
  const suspects = entries.filter((e) => refusalOf(e, stamp, references, undefined) !== undefined);
  if (suspects.length === 0) return [];
  const memberships = await store.readMemberships(
    groupId,
    suspects.map((e) => e.patientKey),
  );
  const refusals: EntryRefusal[] = [];
  for (const entry of suspects) {
    const code = refusalOf(entry, stamp, references, memberships.get(entry.patientKey));
    if (code) refusals.push({ index: entry.index, code });
  }
  return refusals;
}
