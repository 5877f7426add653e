import { Command } from 'commander';
import { patientGroups, patientResults } from '../../lib/operator';
import { withTarget } from '../context';
import { listTable } from '../output';
import { addTaskFilterOptions, runTaskQuery, type TaskFilterOptions } from './tasks';

export function patientsCommand(): Command {
  const patients = new Command('patients').description(
    "a patient's groups, tasks and protocol results",
  );

  patients
    .command('groups')
    .description('the groups a patient is in (--all: also those the patient left)')
    .argument('<patientKey>', 'the patient key')
    .option('--all', 'include ended memberships')
    .action((patientKey: string, options: { all?: boolean }, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const groups = await patientGroups(directory, patientKey, {
          includeEnded: options.all === true,
        });
        output.result(groups, () =>
          listTable(groups, {
            none: 'the patient is in no group',
            noun: 'group',
            // From the byPatient index, which projects the membership's state only.
            head: ['group id', 'group name', 'member', 'started', 'ended'],
            row: (g) => [
              g.groupId,
              g.groupName ?? '(no such group)',
              g.active ? 'yes' : 'no',
              g.startedAt,
              g.endedAt,
            ],
          }),
        );
      }),
    );

  patients
    .command('results')
    .description("a patient's recorded protocol results, one per protocol")
    .argument('<patientKey>', 'the patient key')
    .action((patientKey: string, _options: unknown, command: Command) =>
      withTarget(command, async ({ directory, output }) => {
        const results = await patientResults(directory, patientKey);
        output.result(results, () =>
          listTable(results, {
            none: 'no recorded result for the patient',
            noun: 'result',
            head: [
              'protocol',
              'version',
              'status',
              'due in (days)',
              'next review',
              'computed at',
              'narratives',
            ],
            row: (r) => [
              r.protocol,
              r.protocolVersion,
              r.status,
              r.dueIn,
              r.nextReview,
              r.computedAt,
              (r.narratives ?? []).join('\n'),
            ],
          }),
        );
      }),
    );

  addTaskFilterOptions(
    patients
      .command('tasks')
      .description("a patient's tasks, optionally filtered (a Query of the patient's tasks)")
      .argument('<patientKey>', 'the patient key'),
  ).action((patientKey: string, options: TaskFilterOptions, command: Command) =>
    runTaskQuery(command, { ...options, patient: patientKey }, false),
  );

  return patients;
}
