import { Command } from 'commander';
import { createGroup, groupMembers, searchGroups } from '../../lib/operator';
import { withTarget } from '../context';
import { listTable } from '../output';

export function groupsCommand(): Command {
  const groups = new Command('groups').description('groups: create, search by name, list members');

  groups
    .command('create')
    .description(
      'create an active group (refuses an existing id, and an active group of the same name)',
    )
    .argument('<name>', 'the group name as staff will see it')
    .option('--id <groupId>', 'the group id (externally exposable id); default a random UUID')
    .option(
      '--allow-duplicate-name',
      'create it even if an active group has the same (case-folded) name',
    )
    .action(
      (name: string, options: { id?: string; allowDuplicateName?: boolean }, command: Command) =>
        withTarget(command, async ({ directory, output }) => {
          const group = await createGroup(directory, {
            name,
            groupId: options.id,
            allowDuplicateName: options.allowDuplicateName === true,
          });
          output.result(group, () => `created group ${group.groupId} (${group.name})`);
        }),
    );

  groups
    .command('search')
    .description("find groups by name prefix, case-insensitive (gives a group's id)")
    .argument('<text>', 'the start of the name (with --exact: the whole name)')
    .option('--exact', 'only groups whose whole name matches')
    .action((text: string, options: { exact?: boolean }, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const found = await searchGroups(directory, text, { exact: options.exact === true });
        output.result(found, () =>
          listTable(found, {
            none: 'no group matches',
            noun: 'group',
            head: ['group id', 'name', 'active'],
            row: (g) => [g.groupId, g.name, g.active ? 'yes' : 'no'],
          }),
        );
      }),
    );

  groups
    .command('members')
    .description("a group's members (active ones; --all adds those whose membership ended)")
    .argument('<groupId>', 'the group id (see `groups search`)')
    .option('--all', 'include ended memberships, with their end time')
    .action((groupId: string, options: { all?: boolean }, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const members = await groupMembers(directory, groupId, {
          includeEnded: options.all === true,
        });
        output.result(members, () =>
          options.all
            ? listTable(members, {
                none: 'the group has no members, current or past',
                noun: 'member',
                head: ['patient key', 'active', 'started', 'ended', 'last protocol'],
                row: (m) => [
                  m.patientKey,
                  m.active ? 'yes' : 'no',
                  m.startedAt,
                  m.endedAt,
                  m.lastProtocol,
                ],
              })
            : // Active members come from an index that projects the start only (docs/data-model.md).
              listTable(members, {
                none: 'the group has no active members',
                noun: 'member',
                head: ['patient key', 'started'],
                row: (m) => [m.patientKey, m.startedAt],
              }),
        );
      }),
    );

  return groups;
}
