import { randomUUID } from 'node:crypto';
import { foldName } from '../ports/names';
import type { GroupSummary, OperatorDirectory } from '../ports/operator-directory';
import { parseKeyArgument, parseNameArgument } from './arguments';
import { OperatorError } from './operator-error';
import { readPages } from './paginate';

export type { GroupSummary } from '../ports/operator-directory';

/**
 * Groups whose case-folded name starts with the folded `text` (or equals it, `exact`), in name
 * order, every page read.
 */
export async function searchGroups(
  directory: OperatorDirectory,
  text: string,
  options: { exact?: boolean } = {},
): Promise<GroupSummary[]> {
  const prefix = foldName(parseNameArgument('text', text));
  const { items } = await readPages(
    directory.groups.byName(prefix, { exact: options.exact === true }),
  );
  return items;
}

export async function getGroup(
  directory: OperatorDirectory,
  groupId: string,
): Promise<GroupSummary | undefined> {
  return directory.groups.get(parseKeyArgument('groupId', groupId));
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
 * Creates an active group. The store refuses an existing id (a conditional write), so an existing
 * group is never overwritten. The name check is a read before the write: two operators creating
 * the same name at the same instant could both pass it (acceptable for staff tooling).
 */
export async function createGroup(
  directory: OperatorDirectory,
  input: CreateGroupInput,
): Promise<GroupSummary> {
  const name = parseNameArgument('name', input.name);
  const groupId = parseKeyArgument('--id', input.groupId ?? randomUUID());
  if (!input.allowDuplicateName) {
    const sameName = (await searchGroups(directory, name, { exact: true })).filter((g) => g.active);
    if (sameName.length > 0) {
      const ids = sameName.map((g) => g.groupId).join(', ');
      throw new OperatorError(
        'refused',
        `an active group with this name already exists (${ids}); pass --allow-duplicate-name to create another`,
      );
    }
  }
  if ((await directory.groups.create({ groupId, name })) === 'exists')
    throw new OperatorError('refused', `a group with id ${groupId} already exists`);
  return { groupId, name, active: true };
}
