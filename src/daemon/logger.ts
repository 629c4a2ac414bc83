/**
 * The daemon's logger: pino JSON lines on stdout, or human-readable lines (pino-pretty, in process, no
 * worker thread) when stdout is a terminal. Writes are synchronous so that nothing is lost when the process
 * exits on SIGTERM or on a fatal error, and so that log lines other tools wait for (`listening: ...`,
 * `demo account created: ...`) are on stdout the moment they are logged.
 */
import { pino, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import type { DaemonConfig } from './config.ts';

/** The logger type used across the daemon. */
export type DaemonLogger = Logger;

/** Options of createLogger. */
export interface LoggerOptions {
  readonly level: string;
  /** 'auto' picks pretty when stdout is a TTY. */
  readonly format: DaemonConfig['logFormat'];
}

/** Create the process logger. */
export function createLogger(options: LoggerOptions): DaemonLogger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  const base = { level: options.level, base: { pid: process.pid }, redact: ['password', '*.password'] };
  if (pretty) {
    return pino(base, PinoPretty({ colorize: process.stdout.isTTY === true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(base, pino.destination({ dest: 1, sync: true }));
}
