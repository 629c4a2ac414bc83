/** The logging surface the POP3 server needs; a pino Logger satisfies it. */

/** pino-compatible logger: structured fields first, message second. */
export interface Pop3Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Logger that drops everything (the default). */
export const silentLogger: Pop3Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
