import { z } from 'zod';

/** One problem with an update: where it is and what is wrong. Never carries the offending value. */
export interface ValidationProblem {
  /** The field as the caller knows it: a helper argument (`due`) or a wire path (`integration_payload.due`). */
  field: string;
  message: string;
}

/** A field path as `a.b[0].c`; the root is `(message)`. */
function formatPath(path: readonly PropertyKey[]): string {
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

/** Where the names of unknown keys withheld from a logged protocol run error can be seen. */
export const NAMED_BY_DRY_RUN = 'the dry run names them';

/**
 * Says how many unknown fields (or a helper's arguments) there were without naming them, and
 * where to read the names. The wording every logged refusal of unknown keys uses.
 */
export function withheldUnknown(
  count: number,
  noun: 'field' | 'argument',
  whereNamed: string,
): string {
  return `${count} unknown ${noun}${count === 1 ? '' : 's'} (names withheld, ${whereNamed})`;
}

/**
 * `problemsFromZod` for anything logged: unknown keys are counted, not named. A key is text from
 * the data (a field named after a person, a map keyed by patient name) and may carry PHI;
 * `whereNamed` tells the reader where the names can be seen (the message body, the dry run). Only
 * for schemas whose paths are all schema field names (no `z.record` map keyed by data): a problem
 * inside a map would carry the key in its path (see `rejectionDetail`).
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
        ? withheldUnknown(issue.keys.length, 'field', whereNamed)
        : issue.message,
  }));
}

export function describeProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('; ');
}

/**
 * A rejected message's schema refusal as a detail for logs, with nothing of the message in it.
 * Unknown keys are counted, not named: a key is text from the message and may carry PHI (a
 * producer keying an object by patient name); whoever needs the names reads the message body (the
 * DLQ keeps it). For the same reason a problem inside a map field (`mapFields`, e.g. a change
 * event's `fields`, keyed by the platform's field names) is reported at that field, the key
 * withheld.
 */
export function rejectionDetail(error: z.ZodError, mapFields: readonly string[] = []): string {
  const issues = error.issues.map((issue) => {
    const [top] = issue.path;
    if (typeof top !== 'string' || !mapFields.includes(top) || issue.path.length < 2) return issue;
    return { ...issue, path: [top], message: `${issue.message} (key withheld)` };
  });
  return describeProblems(loggableProblemsFromZod(new z.ZodError(issues), 'see the message body'));
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
 * The errors the update helpers threw, with the message compute may log. `UpdateValidationError`
 * is public, so a protocol could build one with patient data in it; only those made by the helpers
 * (whose messages name fields and reasons, never values) are trusted to be logged.
 */
const loggableByHelpers = new WeakMap<UpdateValidationError, string>();

/**
 * An `UpdateValidationError` made by the update helpers. Its message names the problems (for the
 * caller: a protocol's author, a developer's script); `loggableProblems`, when given, are what
 * compute logs instead (see `helperLoggableMessage`).
 */
export function helperValidationError(
  what: string,
  problems: readonly ValidationProblem[],
  loggableProblems: readonly ValidationProblem[] = problems,
): UpdateValidationError {
  const error = new UpdateValidationError(what, problems);
  loggableByHelpers.set(error, `Invalid ${what}: ${describeProblems(loggableProblems)}`);
  return error;
}

/**
 * The message compute may log for an error the update helpers made: no patient data, unknown
 * argument names counted, not named. Undefined for any other error (one a protocol built itself
 * may carry anything).
 */
export function helperLoggableMessage(error: unknown): string | undefined {
  return error instanceof UpdateValidationError ? loggableByHelpers.get(error) : undefined;
}
