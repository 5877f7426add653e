/**
 * What went wrong, in terms an operator can act on. The CLI maps each kind to an exit code
 * (docs/operator-cli.md). Messages name arguments and identifiers the operator typed; they never
 * carry patient data read from the tables.
 */
export type OperatorErrorKind =
  /** An argument is malformed (names the argument and the rule). */
  | 'invalid-argument'
  /** The group, patient, label or queue does not exist. */
  | 'not-found'
  /** The write would break a rule: duplicate id or name, an action not confirmed. */
  | 'refused'
  /** The stack lacks a queue or table this stage declares (wrong stage, or an older stack). */
  | 'unavailable';

export class OperatorError extends Error {
  override readonly name = 'OperatorError';
  constructor(
    readonly kind: OperatorErrorKind,
    message: string,
  ) {
    super(message);
  }
}
