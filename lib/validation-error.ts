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
 * expected, not what was given, never a value. Unknown keys are named, which is for the author's
 * own terminal (fixtures, the dry run) or a message whose keys are all ours (the update helpers
 * build theirs); for anything else that is logged use `loggableProblemsFromZod`.
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

/**
 * Says how many unknown fields there were without naming them, and where to read the names. The
 * wording every logged schema rejection uses.
 */
export function withheldUnknownFields(count: number, whereNamed: string): string {
  return `${count} unknown field${count === 1 ? '' : 's'} (names withheld, ${whereNamed})`;
}

/**
 * `problemsFromZod` for anything logged: unknown keys are counted, not named. A key is text from
 * the data (a field named after a person, a map keyed by patient name) and may carry PHI;
 * `whereNamed` tells the reader where the names can be seen (the message body, the dry run). Only
 * for schemas whose paths are all schema field names (no `z.record` map keyed by data): a problem
 * inside a map would carry the key in its path (see compute's `rejectionDetail`).
 */
export function loggableProblemsFromZod(
  error: z.ZodError,
  whereNamed: string,
  renameField: (wirePath: string) => string = (path) => path,
): ValidationProblem[] {
  return error.issues.map((issue) => ({
    field: renameField(formatPath(issue.path)),
    message:
      issue.code === 'unrecognized_keys'
        ? withheldUnknownFields(issue.keys.length, whereNamed)
        : issue.message,
  }));
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

/**
 * The errors the update helpers threw. `UpdateValidationError` is public, so a protocol could
 * build one with patient data in it; only those made by the helpers (whose messages name fields
 * and reasons, never values) are trusted to be logged as they are.
 */
const thrownByHelpers = new WeakSet<UpdateValidationError>();

/** An `UpdateValidationError` made by the update helpers (see `isHelperValidationError`). */
export function helperValidationError(
  what: string,
  problems: readonly ValidationProblem[],
): UpdateValidationError {
  const error = new UpdateValidationError(what, problems);
  thrownByHelpers.add(error);
  return error;
}

/** Whether the update helpers made this error, so its message holds no patient data. */
export function isHelperValidationError(error: unknown): error is UpdateValidationError {
  return error instanceof UpdateValidationError && thrownByHelpers.has(error);
}
