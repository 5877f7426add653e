import { Command } from 'commander';
import { findTasks, parsePositiveIntArgument, type TaskSearchResult } from '../../lib/operator';
import { withTarget } from '../context';
import { count, renderTable } from '../output';

export interface TaskFilterOptions {
  patient?: string;
  status?: string;
  assignee?: string;
  team?: string;
  label?: string;
  dueBefore?: string;
  sort?: string;
  limit?: string;
}

/** The filters `tasks` and `patients tasks` share. */
export function addTaskFilterOptions(command: Command): Command {
  return command
    .option('--status <status>', 'OPEN, COMPLETED or CLOSED')
    .option('--assignee <staffKey>', 'assigned to this staff key')
    .option('--team <teamId>', 'of this team')
    .option('--label <name>', 'carrying this label (case-insensitive)')
    .option(
      '--due-before <datetime>',
      'due before this instant: YYYY-MM-DDThh:mm:ss[.ffffff][Z|±hh:mm], no offset = UTC (tasks without a due date are left out)',
    )
    .option('--sort <field>', 'due: earliest due first, tasks without a due date last')
    .option('--limit <n>', 'at most n tasks', '100');
}

export async function runTaskQuery(
  command: Command,
  options: TaskFilterOptions,
  showPatient: boolean,
): Promise<void> {
  await withTarget(command, async ({ directory, output }) => {
    const result = await findTasks(directory, {
      patientKey: options.patient,
      status: options.status,
      assigneeKey: options.assignee,
      teamId: options.team,
      label: options.label,
      dueBefore: options.dueBefore,
      sort: options.sort,
      limit: parsePositiveIntArgument('--limit', options.limit ?? '100'),
    });
    output.result(result, () => renderTasks(result, showPatient));
  });
}

function renderTasks(result: TaskSearchResult, showPatient: boolean): string {
  const more = result.truncated ? ' (more match: raise --limit)' : '';
  if (result.tasks.length === 0) return 'no task matches';
  const head = ['task id', 'status', 'due', 'assignee', 'team', 'labels', 'title'];
  const rows = result.tasks.map((t) => [
    t.taskId,
    t.status,
    t.due,
    t.assigneeKey,
    t.teamId,
    t.labels?.join(', '),
    t.title,
  ]);
  return `${renderTable(
    showPatient ? ['patient key', ...head] : head,
    showPatient ? rows.map((row, i) => [result.tasks[i]?.patientKey, ...row]) : rows,
  )}\n${count(result.tasks.length, 'task')}${more}`;
}

export function tasksCommand(): Command {
  const tasks = new Command('tasks').description(
    "tasks matching filters. With --patient: that patient's tasks (a Query). Without: a Scan of the whole tasks table, filtered — slow and costly on a large table",
  );
  addTaskFilterOptions(
    tasks.option('--patient <patientKey>', "only this patient's tasks (a Query, not a Scan)"),
  );
  tasks.action((options: TaskFilterOptions, command: Command) =>
    runTaskQuery(command, options, true),
  );
  return tasks;
}
