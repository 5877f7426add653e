import { Command } from 'commander';
import { readPlannerConfig } from '../../lib/aws/compute-config';
import { plannerDeps } from '../../lib/aws/compute-root';
import {
  DEFAULT_RECOMPUTE_CHANGE_TYPE,
  queueOfEnvironmentVariable,
  recomputeAllNow,
  recomputePatientNow,
  requireQueueUrl,
} from '../../lib/operator';
import { type CommandContext, withTarget } from '../context';
import { UsageError } from '../errors';
import { TargetError } from '../target';

/** The queue a deployed function reads from its environment (e.g. CHANGES_QUEUE_URL). */
async function queueUrlOf(context: CommandContext, variable: string): Promise<string> {
  const queue = queueOfEnvironmentVariable(context.target.config, variable);
  if (!queue)
    throw new TargetError(
      `serverless.yml (stage ${context.target.stage}) sets no queue in ${variable}`,
    );
  return requireQueueUrl(context.target.queues, queue);
}

/** The planner's environment as deployed (provider-wide, then its own), as strings. */
function plannerEnvironment(context: CommandContext): Record<string, string | undefined> {
  const config = context.target.config;
  const declared = {
    ...(config.provider.environment ?? {}),
    ...((config.functions?.planRecomputation?.environment as Record<string, unknown>) ?? {}),
  };
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(declared))
    if (typeof value === 'string' || typeof value === 'number') env[name] = String(value);
  return env;
}

async function recomputePatient(
  context: CommandContext,
  patientKey: string,
  changeType: string | undefined,
  reassert: boolean,
) {
  const { target, output } = context;
  const changesUrl = await queueUrlOf(context, 'CHANGES_QUEUE_URL');
  const result = await recomputePatientNow(
    { patients: target.directory.patients, queues: target.queues, changesQueueUrl: changesUrl },
    { patientKey, changeType, reassert },
  );
  output.result(
    { mode: 'patient', ...result },
    () =>
      `sent a ${result.changeType} change event for the patient (message ${result.messageId}); computeOnChange recomputes the protocols it impacts${result.reassert ? ', sending every update (--reassert)' : ''}`,
  );
}

async function recomputeAll(context: CommandContext, reassert: boolean) {
  const { target, output } = context;
  const jobsUrl = await queueUrlOf(context, 'COMPUTE_JOBS_QUEUE_URL');
  // The segment policy the deployed planner reads from the same environment.
  const config = readPlannerConfig({
    ...plannerEnvironment(context),
    PATIENTS_TABLE: target.tables.patients,
    COMPUTE_JOBS_QUEUE_URL: jobsUrl,
  });
  // The planner's own adapters (the compute side's composition root), on the CLI's clients.
  const { counter, jobs, policy } = plannerDeps(config, target);
  const result = await recomputeAllNow({ counter, jobs, policy }, undefined, undefined, {
    reassert,
  });
  output.result(
    { mode: 'all', ...result },
    () =>
      `planned run ${result.runId}: ${result.totalSegments} segment job(s) for about ${result.approximatePatients} patients, computed at ${result.computedAt}${result.reassert ? ', sending every update (--reassert)' : ''}`,
  );
}

export function recomputeCommand(): Command {
  return new Command('recompute')
    .description(
      'recompute now through the deployed functions: --patient sends a change event to the changes queue; --all plans a full run (segment jobs on the compute jobs queue)',
    )
    .option('--patient <patientKey>', 'one patient')
    .option('--all', 'every patient, every protocol (like the schedule)')
    .option(
      '--reassert',
      'send every update, even those equal to the last ones sent (default: only what changed, and what is due for re-assertion)',
    )
    .option(
      '--change-type <type>',
      `with --patient: the change type announced; protocols reacting to it recompute (default ${DEFAULT_RECOMPUTE_CHANGE_TYPE})`,
    )
    .action(
      (
        options: { patient?: string; all?: boolean; changeType?: string; reassert?: boolean },
        command: Command,
      ) => {
        if ((options.patient === undefined) === (options.all !== true))
          throw new UsageError('recompute: give exactly one of --patient <patientKey> or --all');
        if (options.all && options.changeType !== undefined)
          throw new UsageError('recompute: --change-type goes with --patient');
        return withTarget(command, (context) =>
          options.all
            ? recomputeAll(context, options.reassert === true)
            : recomputePatient(
                context,
                options.patient as string,
                options.changeType,
                options.reassert === true,
              ),
        );
      },
    );
}
