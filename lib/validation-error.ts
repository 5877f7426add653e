import type { z } from 'zod';

/** One problem with an update: where it is and what is wrong. Never carries the offending value. */
export interface ValidationProblem {
  /** The field as the caller knows it: a helper argument (`due`) or a wire path (`integration_payload.due`). */
  field: string;
  message: string;
}

/** A field path as `a.b[0].c`; the root is `(message)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(message)';
}

/**
 * Turns zod issues into problems. zod's messages here come from our schemas and name what is
 * expected, not what was given, so they are safe to log (no PHI).
 */
export function problemsFromZod(
  error: z.ZodError,
  renameField: (wirePath: string) => string = (path) => path,
): ValidationProblem[] {
  return error.issues.map((issue) => {
    // Unknown keys are named (names, not values) unless the message already does.
    const unnamed =
      issue.code === 'unrecognized_keys'
        ? issue.keys.filter((key) => !issue.message.includes(key))
        : [];
    const message = unnamed.length > 0 ? `${issue.message}: ${unnamed.join(', ')}` : issue.message;
    return { field: renameField(formatPath(issue.path)), message };
  });
}

export function describeProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}

/** Thrown by the update helpers when an argument would build an invalid message. */
export class UpdateValidationError extends Error {
  override readonly name = 'UpdateValidationError';
  readonly problems: readonly ValidationProblem[];

  constructor(what: string, problems: readonly ValidationProblem[]) {
    super(`Invalid ${what}: ${describeProblems(problems)}`);
    this.problems = problems;
  }

  /** The fields at fault, for a caller that branches on them. */
  get fields(): string[] {
    return this.problems.map((p) => p.field);
  }
}
