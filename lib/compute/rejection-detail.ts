import { z } from 'zod';
import { describeProblems, loggableProblemsFromZod } from '../validation-error';

/**
 * A schema rejection's detail with nothing of the message in it, for logs. Unknown keys are
 * counted, not named (the same wording as the appliers' `schemaDetail`): a key is text from the
 * message and may carry PHI. For the same reason a problem inside a map field (`recordFields`,
 * e.g. a change event's `fields`, keyed by the platform's field names) is reported at that field,
 * the key withheld.
 */
export function rejectionDetail(error: z.ZodError, recordFields: readonly string[]): string {
  const issues = error.issues.map((issue) => {
    const [top] = issue.path;
    if (typeof top !== 'string' || !recordFields.includes(top) || issue.path.length < 2)
      return issue;
    return { ...issue, path: [top], message: `${issue.message} (key withheld)` };
  });
  return describeProblems(loggableProblemsFromZod(new z.ZodError(issues), 'see the message body'));
}
