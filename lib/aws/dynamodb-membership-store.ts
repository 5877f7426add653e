import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  ConditionalWrite,
  CreateMembershipResult,
  EntryReferences,
  MembershipKey,
  MembershipStamp,
  MembershipState,
  MembershipStore,
  TransitionResult,
} from '../ports';
import { batchGetItems } from './batch-get-items';
import {
  CONDITION_FAILED,
  cancellationReasons,
  throwIfInterrupted,
} from './transaction-cancellation';

export interface MembershipTables {
  patientsTable: string;
  groupsTable: string;
  membershipsTable: string;
}

/**
 * The key of the sparse index `activeMembers` (resources/tables.yml): the group id, present only
 * while the membership is active, so a group's members are read without its inactive items.
 */
export const ACTIVE_GROUP_ID = 'activeGroupId';

// Must agree with `isNewerStamp`: the later version wins; on a tie, the greater update id.
const IS_OLDER_THAN_STAMP =
  '(#version < :version OR (#version = :version AND #lastUpdateId < :updateId))';

/**
 * The stored state of a membership item in document form (as the document client reads it).
 * An item without a version (none is written so) is older than any stamp, so it never blocks an
 * update nor lifts a refusal.
 */
export function membershipStateFromDocument(
  item: Record<string, unknown> | undefined,
): MembershipState | undefined {
  if (!item || Object.keys(item).length === 0) return undefined;
  return {
    active: item.active === true,
    version: typeof item.version === 'number' ? item.version : Number.NEGATIVE_INFINITY,
    lastUpdateId: typeof item.lastUpdateId === 'string' ? item.lastUpdateId : '',
    ...(typeof item.startedAt === 'string' ? { startedAt: item.startedAt } : {}),
  };
}

/**
 * The stored state from a failed condition's `ALL_OLD`: plain AttributeValues, which the document
 * client leaves as DynamoDB sent them on an error.
 */
export function membershipStateFromItem(
  item: Record<string, AttributeValue> | undefined,
): MembershipState | undefined {
  return item === undefined ? undefined : membershipStateFromDocument(unmarshall(item));
}

/**
 * A membership item as `create` writes it (docs/data-model.md); tools that seed memberships use it
 * so the layout has one definition.
 */
export function membershipItem(key: MembershipKey, active: boolean, stamp: MembershipStamp) {
  return {
    groupId: key.groupId,
    patientKey: key.patientKey,
    active,
    version: stamp.version,
    lastUpdateId: stamp.updateId,
    ...(stamp.protocol === undefined ? {} : { lastProtocol: stamp.protocol }),
    createdAt: stamp.at,
    updatedAt: stamp.at,
    // A first "not in" is a tombstone: no period, only the version that an older "in" must beat.
    ...(active ? { startedAt: stamp.at, [ACTIVE_GROUP_ID]: key.groupId } : {}),
  };
}

/** The parts of an UpdateItem being assembled. */
interface UpdateParts {
  set: string[];
  remove: string[];
  values: Record<string, unknown>;
  /** Conditions besides "exists, holds the expected state, is older than the stamp". */
  conditions: string[];
}

/** Memberships in DynamoDB: one item per (group, patient); see docs/data-model.md. */
export class DynamoDbMembershipStore implements MembershipStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: MembershipTables,
  ) {}

  private stampUpdate(active: boolean, stamp: MembershipStamp): UpdateParts {
    const set = [
      '#active = :active',
      '#version = :version',
      '#lastUpdateId = :updateId',
      'updatedAt = :at',
    ];
    const values: Record<string, unknown> = {
      ':active': active,
      ':version': stamp.version,
      ':updateId': stamp.updateId,
      ':at': stamp.at,
    };
    const remove: string[] = [];
    if (stamp.protocol === undefined) remove.push('lastProtocol');
    else {
      set.push('lastProtocol = :protocol');
      values[':protocol'] = stamp.protocol;
    }
    return { set, remove, values, conditions: [] };
  }

  /** One guarded update: the item exists, holds `active = <stateValue>`, and is older. */
  private guardedUpdate(
    key: MembershipKey,
    { set, remove, values, conditions }: UpdateParts,
    stateValue: ':active' | ':from',
  ) {
    return {
      TableName: this.tables.membershipsTable,
      Key: { groupId: key.groupId, patientKey: key.patientKey },
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: [
        'attribute_exists(patientKey)',
        `#active = ${stateValue}`,
        IS_OLDER_THAN_STAMP,
        ...conditions,
      ].join(' AND '),
      ExpressionAttributeNames: {
        '#active': 'active',
        '#version': 'version',
        '#lastUpdateId': 'lastUpdateId',
      },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  private async guardedWrite(
    key: MembershipKey,
    parts: UpdateParts,
    stateValue: ':active' | ':from',
  ): Promise<ConditionalWrite> {
    try {
      await this.documents.send(new UpdateCommand(this.guardedUpdate(key, parts, stateValue)));
      return { written: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { written: false, current: membershipStateFromItem(error.Item) };
      }
      throw error;
    }
  }

  /**
   * Steady state: the item already holds `active`; only the newer stamp is recorded. Touches no
   * indexed or projected attribute, so it is one write unit on the table alone.
   */
  confirm(key: MembershipKey, active: boolean, stamp: MembershipStamp): Promise<ConditionalWrite> {
    return this.guardedWrite(key, this.stampUpdate(active, stamp), ':active');
  }

  /** A change of state: from `!active` to `active`, opening or closing a period. */
  transition(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
    from: MembershipState,
  ): Promise<TransitionResult> {
    return active ? this.activate(key, stamp) : this.deactivate(key, stamp, from);
  }

  /**
   * Closes the current period: `endedAt`, and the period appended to `periods` in the same write,
   * so every past period survives later reactivations. The period's start is the one `from`
   * carried; the condition that it is still the stored one makes a concurrent reactivation send us
   * round again instead of recording a wrong start. Leaves the `activeMembers` index.
   */
  private deactivate(
    key: MembershipKey,
    stamp: MembershipStamp,
    from: MembershipState,
  ): Promise<ConditionalWrite> {
    const update = this.stampUpdate(false, stamp);
    const period = {
      ...(from.startedAt === undefined ? {} : { startedAt: from.startedAt }),
      endedAt: stamp.at,
      endedByUpdateId: stamp.updateId,
    };
    update.set.push(
      'endedAt = :at',
      'periods = list_append(if_not_exists(periods, :noPeriods), :closed)',
    );
    update.remove.push(ACTIVE_GROUP_ID);
    update.values[':noPeriods'] = [];
    update.values[':closed'] = [period];
    update.values[':from'] = true;
    if (from.startedAt === undefined) update.conditions.push('attribute_not_exists(startedAt)');
    else {
      update.conditions.push('startedAt = :openedAt');
      update.values[':openedAt'] = from.startedAt;
    }
    return this.guardedWrite(key, update, ':from');
  }

  /**
   * Opens a new period, in one transaction with a check that the group is active (as `create`
   * requires for "in"): a group deactivated since the patient left takes no one back. Joins the
   * `activeMembers` index.
   */
  private async activate(key: MembershipKey, stamp: MembershipStamp): Promise<TransitionResult> {
    const update = this.stampUpdate(true, stamp);
    update.set.push('startedAt = :at', `${ACTIVE_GROUP_ID} = :groupId`);
    update.remove.push('endedAt');
    update.values[':groupId'] = key.groupId;
    update.values[':from'] = false;
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: this.activeGroupCheck(key.groupId) },
            { Update: this.guardedUpdate(key, update, ':from') },
          ],
        }),
      );
      return { written: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [group, membership] = reasons;
      // The membership moved first: judge again against what is stored (maybe now stale).
      if (membership?.code === CONDITION_FAILED)
        return { written: false, current: membershipStateFromItem(membership.item) };
      if (group?.code === CONDITION_FAILED)
        return { written: false, refused: group.hasItem ? 'inactive-group' : 'unknown-group' };
      throwIfInterrupted(reasons, error);
      throw error;
    }
  }

  /** The group exists and is active; the old item tells an inactive group from a missing one. */
  private activeGroupCheck(groupId: string) {
    return {
      TableName: this.tables.groupsTable,
      Key: { groupId },
      ConditionExpression: 'attribute_exists(groupId) AND #active = :true',
      ExpressionAttributeNames: { '#active': 'active' },
      ExpressionAttributeValues: { ':true': true },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  async create(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<CreateMembershipResult> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // Adding a member needs an active group; ensuring "not in" only needs the group.
              ConditionCheck: active
                ? this.activeGroupCheck(key.groupId)
                : {
                    TableName: this.tables.groupsTable,
                    Key: { groupId: key.groupId },
                    ConditionExpression: 'attribute_exists(groupId)',
                  },
            },
            {
              ConditionCheck: {
                TableName: this.tables.patientsTable,
                Key: { patientKey: key.patientKey },
                ConditionExpression: 'attribute_exists(patientKey)',
              },
            },
            {
              Put: {
                TableName: this.tables.membershipsTable,
                Item: membershipItem(key, active, stamp),
                ConditionExpression: 'attribute_not_exists(patientKey)',
              },
            },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [group, patient, membership] = reasons;
      if (group?.code === CONDITION_FAILED)
        return group.hasItem ? 'inactive-group' : 'unknown-group';
      if (patient?.code === CONDITION_FAILED) return 'unknown-patient';
      throwIfInterrupted(reasons, error);
      if (membership?.code === CONDITION_FAILED) return 'exists';
      throw error;
    }
  }

  /**
   * The group and the patients in one BatchGetItem (100 keys a request), strongly consistent so a
   * group or patient created just before the message counts. Projections keep the patient
   * document (PHI) out of the read.
   */
  async readReferences(groupId: string, patientKeys: readonly string[]): Promise<EntryReferences> {
    const found = await batchGetItems(
      this.documents,
      [
        { table: this.tables.groupsTable, keys: [{ groupId }], attributes: ['groupId', 'active'] },
        {
          table: this.tables.patientsTable,
          keys: [...new Set(patientKeys)].map((patientKey) => ({ patientKey })),
          attributes: ['patientKey'],
        },
      ],
      { consistent: true },
    );
    const group = found.get(this.tables.groupsTable)?.[0];
    return {
      group: group === undefined ? undefined : { active: group.active === true },
      existingPatients: new Set(
        (found.get(this.tables.patientsTable) ?? []).map((item) => String(item.patientKey)),
      ),
    };
  }

  async readMemberships(
    groupId: string,
    patientKeys: readonly string[],
  ): Promise<Map<string, MembershipState>> {
    const found = await batchGetItems(
      this.documents,
      [
        {
          table: this.tables.membershipsTable,
          keys: [...new Set(patientKeys)].map((patientKey) => ({ groupId, patientKey })),
          attributes: ['patientKey', 'active', 'version', 'lastUpdateId', 'startedAt'],
        },
      ],
      { consistent: true },
    );
    const states = new Map<string, MembershipState>();
    for (const item of found.get(this.tables.membershipsTable) ?? []) {
      const state = membershipStateFromDocument(item);
      if (state) states.set(String(item.patientKey), state);
    }
    return states;
  }
}
