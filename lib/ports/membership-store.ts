/** One patient's membership of one group. */
export interface MembershipKey {
  groupId: string;
  patientKey: string;
}

/** Who wrote a membership state and how new it is. */
export interface MembershipStamp {
  /** The ordering version: `computed-at` in epoch ms. */
  version: number;
  updateId: string;
  protocol?: string;
  /** Wall-clock time of the write (ISO), for `updatedAt`, `startedAt`, `endedAt`. */
  at: string;
}

/** The stored state a conditional write was judged against. */
export interface MembershipState {
  active: boolean;
  version: number;
  lastUpdateId: string;
  /** Start of the current (or last) active period; absent on a tombstone. */
  startedAt?: string;
}

export type ConditionalWrite =
  | { written: true }
  /** `current` is the stored item (absent: there is none), returned by the failed condition. */
  | { written: false; current: MembershipState | undefined };

/** Why the group refuses a membership, as the rejection codes name it. */
export type GroupRefusal = 'unknown-group' | 'inactive-group';

export type TransitionResult =
  | ConditionalWrite
  /** An activation the group refused (it is inactive, or missing); nothing written. */
  | { written: false; refused: GroupRefusal };

export type CreateMembershipResult = 'created' | 'exists' | GroupRefusal | 'unknown-patient';

/** What a multi-entry message's refusals depend on, read before any of its writes. */
export interface EntryReferences {
  /** Absent: no such group. */
  group: { active: boolean } | undefined;
  /** The patient keys asked for that have a patient item. */
  existingPatients: ReadonlySet<string>;
}

/**
 * Conditional writes on memberships. Each write method is one request; none reads first. "Newer"
 * means `(version, updateId)` is greater than the stored pair (see `isNewerStamp`).
 */
export interface MembershipStore {
  /**
   * Records a newer stamp on an item that exists and already has `active`: the steady state
   * (the protocol recomputed and said the same). Never re-checks the group.
   */
  confirm(key: MembershipKey, active: boolean, stamp: MembershipStamp): Promise<ConditionalWrite>;
  /**
   * Sets `active` on an item that exists, holds `from` (the state a failed `confirm` returned) and
   * is older than `stamp`. Activation starts a new period (`startedAt`, no `endedAt`) and only
   * succeeds while the group is active; deactivation sets `endedAt` and appends the closed period
   * to the item's history. An item that changed since `from` is not written (`current` says how).
   */
  transition(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
    from: MembershipState,
  ): Promise<TransitionResult>;
  /**
   * Creates the first item for the pair in one transaction that also checks the group exists
   * (and is active, when `active`) and the patient exists. Nothing is written otherwise.
   */
  create(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<CreateMembershipResult>;
  /**
   * Consistent reads of the group and the patients (a multi-entry message checks them before
   * writing anything).
   */
  readReferences(groupId: string, patientKeys: readonly string[]): Promise<EntryReferences>;
  /** Consistent reads of the stored memberships of `patientKeys` in the group (absent: none). */
  readMemberships(
    groupId: string,
    patientKeys: readonly string[],
  ): Promise<Map<string, MembershipState>>;
}

/**
 * Total order on stamps: the later `computed-at` wins; on a tie the greater update id, so that
 * every delivery order ends in the same state.
 */
export function isNewerStamp(
  incoming: Pick<MembershipStamp, 'version' | 'updateId'>,
  stored: Pick<MembershipState, 'version' | 'lastUpdateId'>,
): boolean {
  if (incoming.version !== stored.version) return incoming.version > stored.version;
  return incoming.updateId > stored.lastUpdateId;
}
