import { Command } from 'commander';
import { deactivateLabel, listLabels } from '../../lib/operator';
import { withTarget } from '../context';
import { listTable } from '../output';

export function labelsCommand(): Command {
  const labels = new Command('labels').description('task labels: list, deactivate');

  labels
    .command('list')
    .description('active labels (--all: inactive ones too)')
    .option('--all', 'include inactive labels')
    .action((options: { all?: boolean }, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const found = await listLabels(directory, { includeInactive: options.all === true });
        output.result(found, () =>
          listTable(found, {
            none: 'no labels',
            noun: 'label',
            head: ['name', 'active', 'created', 'deactivated'],
            row: (l) => [l.name, l.active ? 'yes' : 'no', l.createdAt, l.deactivatedAt],
          }),
        );
      }),
    );

  labels
    .command('deactivate')
    .description('deactivate a label: tasks naming it are then refused (inactive-label)')
    .argument('<name>', 'the label name (case-insensitive)')
    .action((name: string, _options: unknown, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const label = await deactivateLabel(directory, name);
        output.result(label, () =>
          label.changed
            ? `deactivated label ${label.name}`
            : `label ${label.name} was already inactive (since ${label.deactivatedAt ?? 'unknown'})`,
        );
      }),
    );

  return labels;
}
