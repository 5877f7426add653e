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
}

export type ConditionalWrite =
  | { written: true }
  /** `current` is the stored item (absent: there is none), returned by the failed condition. */
  | { written: false; current: MembershipState | undefined };

export type CreateMembershipResult =
  | 'created'
  /** Another writer created the item first. */
  | 'exists'
  | 'unknown-group'
  | 'inactive-group'
  | 'unknown-patient';

/**
 * Conditional writes on memberships. Each method is one request; none reads first. "Newer" means
 * `(version, updateId)` is greater than the stored pair (see `isNewerStamp`).
 */
export interface MembershipStore {
  /**
   * Records a newer stamp on an item that exists and already has `active`: the steady state
   * (the protocol recomputed and said the same).
   */
  confirm(key: MembershipKey, active: boolean, stamp: MembershipStamp): Promise<ConditionalWrite>;
  /**
   * Sets `active` on an item that exists, holds the opposite state and is older than `stamp`.
   * Activation starts a new period (`startedAt`, no `endedAt`); deactivation sets `endedAt`.
   */
  transition(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<ConditionalWrite>;
  /**
   * Creates the first item for the pair in one transaction that also checks the group exists
   * (and is active, when `active`) and the patient exists. Nothing is written otherwise.
   */
  create(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<CreateMembershipResult>;
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
