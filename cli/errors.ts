import { CommanderError } from 'commander';
import { OperatorError } from '../lib/operator';
import { EXIT, type ExitCode } from './exit-codes';
import { type TaggedError, TargetError } from './target';

/** A command-line problem found after parsing (e.g. `--patient` and `--all` together). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An action the operator did not confirm. */
export class NotConfirmedError extends Error {
  override readonly name = 'NotConfirmedError';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function isNetworkError(error: Error): boolean {
  const code = (error as { code?: string }).code;
  if (code && NETWORK_CODES.has(code)) return true;
  // Node's happy-eyeballs connect reports an AggregateError of per-address errors.
  if (error instanceof AggregateError)
    return error.errors.some((e) => e instanceof Error && isNetworkError(e));
  return error.name === 'TimeoutError' || error.name === 'RequestTimeout';
}

const OPERATOR_EXIT: Record<OperatorError['kind'], ExitCode> = {
  'invalid-argument': EXIT.usage,
  'not-found': EXIT.notFound,
  refused: EXIT.refused,
  unavailable: EXIT.unavailable,
};

/**
 * One line and an exit code for anything a command throws. No stack traces; nothing read from the
 * tables goes into a message (OperatorError messages carry only what the operator typed, ids and
 * rules).
 */
export function describeError(error: unknown): { exitCode: ExitCode; message: string } {
  if (error instanceof OperatorError)
    return { exitCode: OPERATOR_EXIT[error.kind], message: error.message };
  if (error instanceof UsageError) return { exitCode: EXIT.usage, message: error.message };
  if (error instanceof NotConfirmedError) return { exitCode: EXIT.refused, message: error.message };
  if (error instanceof TargetError) return { exitCode: EXIT.unavailable, message: error.message };
  if (error instanceof CommanderError) return { exitCode: EXIT.usage, message: error.message };
  if (!(error instanceof Error)) return { exitCode: EXIT.failure, message: String(error) };

  const service = (error as TaggedError).operatorService;
  if (isNetworkError(error)) {
    if (service?.local)
      return {
        exitCode: EXIT.unavailable,
        message: `cannot reach ${service.service} at ${service.endpoint} — is \`npm start\` running? or pass --aws`,
      };
    const where = service ? `${service.service} (${service.endpoint})` : 'AWS';
    return { exitCode: EXIT.unavailable, message: `cannot reach ${where}: ${error.message}` };
  }
  if (error.name === 'CredentialsProviderError')
    return {
      exitCode: EXIT.unavailable,
      message: `no AWS credentials: ${error.message.split('\n')[0]} (configure a profile or AWS_* variables)`,
    };
  if (/region is missing/i.test(error.message))
    return {
      exitCode: EXIT.unavailable,
      message: 'no AWS region: set AWS_REGION or a profile with a region',
    };
  if (error.name === 'ResourceNotFoundException')
    return {
      exitCode: EXIT.unavailable,
      message: `${service?.service ?? 'AWS'}: a table of this stage does not exist (${error.message}); wrong --stage?`,
    };
  const where = service ? `${service.service}: ` : '';
  return {
    exitCode: EXIT.failure,
    message: `${where}${error.name}: ${error.message.split('\n')[0]}`,
  };
}
