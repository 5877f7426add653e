import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  ConditionalWrite,
  CreateMembershipResult,
  MembershipKey,
  MembershipStamp,
  MembershipState,
  MembershipStore,
} from '../store';
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

// Must agree with `isNewerStamp`: the later version wins; on a tie, the greater update id.
const IS_OLDER_THAN_STAMP =
  '(#version < :version OR (#version = :version AND #lastUpdateId < :updateId))';

/** The stored state from a failed condition's `ALL_OLD` (plain AttributeValues). */
export function membershipStateFromItem(
  item: Record<string, AttributeValue> | undefined,
): MembershipState | undefined {
  if (!item || Object.keys(item).length === 0) return undefined;
  return {
    active: item.active?.BOOL === true,
    version: Number(item.version?.N ?? Number.NEGATIVE_INFINITY),
    lastUpdateId: item.lastUpdateId?.S ?? '',
  };
}

/** Memberships in DynamoDB: one item per (group, patient); see docs/data-model.md. */
export class DynamoDbMembershipStore implements MembershipStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: MembershipTables,
  ) {}

  private stampUpdate(key: MembershipKey, active: boolean, stamp: MembershipStamp) {
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
    return { set, remove, values, key };
  }

  private async conditionalUpdate(input: UpdateCommandInput): Promise<ConditionalWrite> {
    try {
      await this.documents.send(new UpdateCommand(input));
      return { written: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { written: false, current: membershipStateFromItem(error.Item) };
      }
      throw error;
    }
  }

  /** One guarded UpdateItem: the item exists, holds `active = <stateValue>`, and is older. */
  private guardedWrite(
    key: MembershipKey,
    { set, remove, values }: { set: string[]; remove: string[]; values: Record<string, unknown> },
    stateValue: ':active' | ':from',
  ): Promise<ConditionalWrite> {
    return this.conditionalUpdate({
      TableName: this.tables.membershipsTable,
      Key: { groupId: key.groupId, patientKey: key.patientKey },
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: `attribute_exists(patientKey) AND #active = ${stateValue} AND ${IS_OLDER_THAN_STAMP}`,
      ExpressionAttributeNames: {
        '#active': 'active',
        '#version': 'version',
        '#lastUpdateId': 'lastUpdateId',
      },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  }

  /** Steady state: the item already holds `active`; only the newer stamp is recorded. */
  confirm(key: MembershipKey, active: boolean, stamp: MembershipStamp): Promise<ConditionalWrite> {
    return this.guardedWrite(key, this.stampUpdate(key, active, stamp), ':active');
  }

  /** A change of state: from `!active` to `active`, opening or closing a period. */
  transition(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<ConditionalWrite> {
    const update = this.stampUpdate(key, active, stamp);
    if (active) {
      // A new period: the previous one's start and end are superseded (updatedAt history is in
      // the version stamp; see docs/data-model.md).
      update.set.push('startedAt = :at');
      update.remove.push('endedAt');
    } else {
      update.set.push('endedAt = :at');
    }
    update.values[':from'] = !active;
    return this.guardedWrite(key, update, ':from');
  }

  async create(
    key: MembershipKey,
    active: boolean,
    stamp: MembershipStamp,
  ): Promise<CreateMembershipResult> {
    const item: Record<string, unknown> = {
      groupId: key.groupId,
      patientKey: key.patientKey,
      active,
      version: stamp.version,
      lastUpdateId: stamp.updateId,
      lastProtocol: stamp.protocol,
      createdAt: stamp.at,
      updatedAt: stamp.at,
      // A first "not in" is a tombstone: no period, only the version that an older "in" must beat.
      startedAt: active ? stamp.at : undefined,
    };
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tables.groupsTable,
                Key: { groupId: key.groupId },
                // Adding a member needs an active group; ensuring "not in" only needs the group.
                ConditionExpression: active
                  ? 'attribute_exists(groupId) AND #active = :true'
                  : 'attribute_exists(groupId)',
                ...(active
                  ? {
                      ExpressionAttributeNames: { '#active': 'active' },
                      ExpressionAttributeValues: { ':true': true },
                    }
                  : {}),
                // The old item tells an inactive group (item returned) from a missing one.
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
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
                Item: item,
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
}
