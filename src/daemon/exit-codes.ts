/**
 * Process exit codes, from BSD sysexits(3): Postfix's `mailbox_command` and local(8) read them to decide
 * between bounce (EX_NOUSER, EX_USAGE ...) and retry later (EX_TEMPFAIL).
 */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** Unexpected failure outside the cases below. */
  failure: 1,
  /** EX_USAGE: bad command line. */
  usage: 64,
  /** EX_DATAERR: the input data (message, import file) is unusable. */
  dataError: 65,
  /** EX_NOINPUT: an input file does not exist or is unreadable. */
  noInput: 66,
  /** EX_NOUSER: unknown account. */
  noUser: 67,
  /** EX_SOFTWARE: internal error. */
  software: 70,
  /** EX_CANTCREAT: cannot create an output file or account (already exists). */
  cantCreate: 73,
  /** EX_IOERR: an input/output error, e.g. a port that cannot be bound. */
  ioError: 74,
  /** EX_TEMPFAIL: temporary failure, the caller should retry later. */
  tempFail: 75,
  /** EX_NOPERM: refused (e.g. a mailbox that may not receive mail). */
  noPerm: 77,
  /** EX_CONFIG: invalid configuration. */
  config: 78,
} as const;

/** One of the exit codes above. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends a CLI command with a given exit code and a message for stderr / the log. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
