import { Command } from 'commander';
import { patientGroups } from '../../lib/operator';
import { withTarget } from '../context';
import { count, renderTable } from '../output';
import { addTaskFilterOptions, runTaskQuery, type TaskFilterOptions } from './tasks';

export function patientsCommand(): Command {
  const patients = new Command('patients').description("a patient's groups and tasks");

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
          groups.length === 0
            ? 'the patient is in no group'
            : `${renderTable(
                // From the byPatient index, which projects the membership's state only.
                ['group id', 'group name', 'member', 'started', 'ended'],
                groups.map((g) => [
                  g.groupId,
                  g.groupName ?? '(no such group)',
                  g.active ? 'yes' : 'no',
                  g.startedAt,
                  g.endedAt,
                ]),
              )}\n${count(groups.length, 'group')}`,
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
