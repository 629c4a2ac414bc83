/**
 * POP3 command metrics from the POP3 server's protocol trace. Pop3Server has no command hook yet (asked
 * for); its sessions log every client line (`C:`) and every response (`S:`) at debug level with a session
 * id, so a logger wrapper can time each command from its line to its first `+OK`/`-ERR`. Everything is
 * still forwarded to the real logger, which applies its own level.
 */
import type { Pop3Logger } from '../../pop3/index.ts';
import type { DaemonMetrics } from '../metrics.ts';

/** Command names used as label values; anything else counts as "OTHER" (bounded label cardinality). */
const KNOWN = new Set(['USER', 'PASS', 'APOP', 'AUTH', 'STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'QUIT', 'TOP', 'UIDL', 'CAPA', 'STLS', 'UTF8', 'LANG']);

interface Pending {
  readonly command: string;
  readonly end: () => void;
}

/** Wrap `logger` so that POP3 commands count in mailroom_commands_total and its latency histogram. */
export function pop3MetricsLogger(logger: Pop3Logger, metrics: DaemonMetrics): Pop3Logger {
  const pending = new Map<unknown, Pending>();
  const observe = (fields: object, message: string | undefined): void => {
    const f = fields as { session?: unknown; line?: unknown };
    if (f.session === undefined) return;
    if (message === 'C:' && typeof f.line === 'string') {
      const word = f.line.trimStart().split(/\s/, 1)[0].toUpperCase();
      const command = KNOWN.has(word) ? word : 'OTHER';
      pending.set(f.session, { command, end: metrics.commandDuration.startTimer({ protocol: 'pop3', command }) });
    } else if (message === 'S:' && typeof f.line === 'string') {
      const p = pending.get(f.session);
      // "+ " is a SASL continuation: the command is not finished yet.
      if (!p || !(f.line.startsWith('+OK') || f.line.startsWith('-ERR'))) return;
      pending.delete(f.session);
      p.end();
      metrics.commands.inc({ protocol: 'pop3', command: p.command, result: f.line.startsWith('+OK') ? 'ok' : 'err' });
    } else if (message === 'pop3 autologout' || message === 'pop3 socket error') {
      pending.delete(f.session);
    }
  };
  return {
    debug(fields, message) {
      observe(fields, message);
      logger.debug(fields, message);
    },
    info(fields, message) {
      observe(fields, message);
      logger.info(fields, message);
    },
    warn(fields, message) {
      logger.warn(fields, message);
    },
    error(fields, message) {
      logger.error(fields, message);
    },
  };
}
