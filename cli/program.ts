import { Command, CommanderError, Option } from 'commander';
import { dlqCommand } from './commands/dlq';
import { groupsCommand } from './commands/groups';
import { labelsCommand } from './commands/labels';
import { patientsCommand } from './commands/patients';
import { protocolsCommand } from './commands/protocols';
import { recomputeCommand } from './commands/recompute';
import { tasksCommand } from './commands/tasks';
import { describeError } from './errors';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { DEFAULT_STAGE, LOCAL_DYNAMODB_ENDPOINT, LOCAL_SQS_ENDPOINT } from './target';

const TARGET_HELP = `
Target:
  Default: the local stack of \`npm start\` (DynamoDB ${LOCAL_DYNAMODB_ENDPOINT}, SQS ${LOCAL_SQS_ENDPOINT},
  stage ${DEFAULT_STAGE}); the endpoint options or AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS change it.
  --aws: AWS with the default credential chain and region (AWS_PROFILE, AWS_REGION, ...).
  Table and queue names are those serverless.yml gives the --stage.
${EXIT_CODES_HELP}
Examples:
  protocol-updates groups search diab
  protocol-updates --aws --stage prod patients groups <patientKey> --json
  protocol-updates protocols results diabetes-care-group --status satisfied
  protocol-updates dlq list Group
  protocol-updates dlq redrive Group --max 10
`;

/** Every command; options declared here are accepted before or after the subcommand. */
export function buildProgram(): Command {
  const program = new Command('protocol-updates')
    .description(
      'Operator commands for protocol-updates: groups, memberships, tasks, protocol results, labels, DLQs, recomputation.',
    )
    .option('--stage <stage>', 'the serverless stage whose tables and queues to use', DEFAULT_STAGE)
    .option('--aws', 'use AWS (default credential chain and region) instead of the local stack')
    .option(
      '--dynamodb-endpoint <url>',
      'DynamoDB endpoint (default: local, or AWS_ENDPOINT_URL_DYNAMODB)',
    )
    .option('--sqs-endpoint <url>', 'SQS endpoint (default: local, or AWS_ENDPOINT_URL_SQS)')
    .addOption(new Option('--json', 'print the result as one JSON document'))
    .addHelpText('after', TARGET_HELP)
    .showHelpAfterError('(run with --help for usage)');
  for (const command of [
    groupsCommand(),
    patientsCommand(),
    protocolsCommand(),
    tasksCommand(),
    labelsCommand(),
    dlqCommand(),
    recomputeCommand(),
  ])
    program.addCommand(command);
  // Usage errors come back as CommanderError instead of exiting, for our exit codes.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    for (const sub of command.commands) exitOverride(sub);
  };
  exitOverride(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. Errors are one line on stderr, no stack trace. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its message (and help, if asked) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const { exitCode, message } = describeError(error);
    process.stderr.write(`error: ${message}\n`);
    return exitCode;
  }
}
