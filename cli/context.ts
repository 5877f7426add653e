import type { Command } from 'commander';
import type { OperatorDirectory } from '../lib/ports';
import { createOutput, type Output } from './output';
import { DEFAULT_STAGE, openTarget, type Target } from './target';

/** The options every command takes (declared on the program, accepted before or after the command). */
export interface GlobalOptions {
  stage: string;
  aws?: boolean;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  json?: boolean;
}

export interface CommandContext {
  target: Target;
  directory: OperatorDirectory;
  output: Output;
  options: GlobalOptions;
}

/**
 * Runs a command's work against the target its global options name, closing the clients after.
 * Arguments are validated inside the work (by the lib functions), before any request is made.
 */
export async function withTarget(
  command: Command,
  work: (context: CommandContext) => Promise<void>,
): Promise<void> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const target = await openTarget({
    stage: options.stage ?? DEFAULT_STAGE,
    aws: options.aws === true,
    dynamodbEndpoint: options.dynamodbEndpoint,
    sqsEndpoint: options.sqsEndpoint,
  });
  try {
    await work({
      target,
      directory: target.directory,
      output: createOutput(options.json === true),
      options,
    });
  } finally {
    target.close();
  }
}
