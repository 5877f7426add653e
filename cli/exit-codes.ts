/** The CLI's exit codes (docs/operator-cli.md); tests and scripts rely on them. */
export const EXIT = {
  ok: 0,
  /** Something failed that is none of the below (an AWS error, a bug). */
  failure: 1,
  /** Bad command line: unknown command or option, malformed argument, purge without --yes off a TTY. */
  usage: 2,
  /** The group, patient, label or DLQ named does not exist. */
  notFound: 3,
  /** The stack cannot be reached or used: no connection, no credentials, the stage's tables or queues missing. */
  unavailable: 4,
  /** Refused: a duplicate group id or name, a purge not confirmed. */
  refused: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed (an AWS error or an unexpected one; the message says which)
  2  usage: unknown command or option, malformed argument, purge without --yes when not on a terminal
  3  not found: the group, patient, label or DLQ named does not exist
  4  the stack cannot be reached or used (no connection, no credentials, the stage's tables or queues missing)
  5  refused: duplicate group id or name, purge not confirmed
`;
