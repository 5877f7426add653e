import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { groupItem } from '../aws/table-items';
import { foldName, nameInitial } from '../ports/names';
import { parseKeyArgument, parseNameArgument } from './arguments';
import type { DirectoryContext } from './directory-context';
import { isConditionFailure, OperatorError } from './operator-error';
import { queryPages } from './paginate';

/** The groups-table search index (resources/tables.yml). */
export const GROUP_NAME_INDEX = 'byName';

export interface GroupSummary {
  groupId: string;
  name: string;
  active: boolean;
}

function groupSummary(item: Record<string, unknown>): GroupSummary {
  return {
    groupId: String(item.groupId),
    name: String(item.name ?? ''),
    active: item.active === true,
  };
}

/**
 * Groups whose case-folded name starts with the folded `text` (or equals it, `exact`), in name
 * order, every page read: one Query on the `byName` index, partition `nameInitial(text)`.
 */
export async function searchGroups(
  context: DirectoryContext,
  text: string,
  options: { exact?: boolean } = {},
): Promise<GroupSummary[]> {
  const prefix = foldName(parseNameArgument('text', text));
  const { items } = await queryPages(context.documents, {
    TableName: context.tables.groups,
    IndexName: GROUP_NAME_INDEX,
    KeyConditionExpression: options.exact
      ? 'nameInitial = :initial AND nameKey = :key'
      : 'nameInitial = :initial AND begins_with(nameKey, :key)',
    ExpressionAttributeValues: { ':initial': nameInitial(prefix), ':key': prefix },
  });
  return items.map(groupSummary);
}

export async function getGroup(
  context: DirectoryContext,
  groupId: string,
): Promise<GroupSummary | undefined> {
  const { Item } = await context.documents.send(
    new GetCommand({
      TableName: context.tables.groups,
      Key: { groupId: parseKeyArgument('groupId', groupId) },
      ConsistentRead: true,
    }),
  );
  return Item ? groupSummary(Item) : undefined;
}

export interface CreateGroupInput {
  name: string;
  /** Default a random UUID (the group's externally exposable id). */
  groupId?: string;
  /**
   * Staff find groups by name: a second active group with the same folded name would make the
   * search ambiguous, so it is refused unless this is set.
   */
  allowDuplicateName?: boolean;
}

/**
 * Creates an active group. The id is guarded by a conditional Put (`attribute_not_exists`), so an
 * existing group is never overwritten. The name check is a read before the write: two operators
 * creating the same name at the same instant could both pass it (acceptable for staff tooling).
 */
export async function createGroup(
  context: DirectoryContext,
  input: CreateGroupInput,
): Promise<GroupSummary> {
  const name = parseNameArgument('name', input.name);
  const groupId = parseKeyArgument('--id', input.groupId ?? randomUUID());
  if (!input.allowDuplicateName) {
    const sameName = (await searchGroups(context, name, { exact: true })).filter((g) => g.active);
    if (sameName.length > 0) {
      const ids = sameName.map((g) => g.groupId).join(', ');
      throw new OperatorError(
        'refused',
        `an active group with this name already exists (${ids}); pass --allow-duplicate-name to create another`,
      );
    }
  }
  const item = groupItem({ groupId, name, active: true });
  try {
    await context.documents.send(
      new PutCommand({
        TableName: context.tables.groups,
        Item: item,
        ConditionExpression: 'attribute_not_exists(groupId)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error))
      throw new OperatorError('refused', `a group with id ${groupId} already exists`);
    throw error;
  }
  return { groupId, name, active: true };
}
