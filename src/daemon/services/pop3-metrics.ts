/**
 * POP3 command metrics from Pop3Server's onCommand hook: each answered command counts in
 * mailroom_commands_total (result ok/err) and mailroom_command_duration_seconds. The command names come from
 * the POP3 command table (plus UNKNOWN for lines naming no command), so label cardinality stays bounded.
 */
import type { Pop3CommandEvent } from '../../pop3/index.ts';
import type { DaemonMetrics } from '../metrics.ts';

/** An onCommand hook that records POP3 commands in the daemon's metrics. */
export function pop3CommandMetrics(metrics: DaemonMetrics): (event: Pop3CommandEvent) => void {
  return ({ command, ok, durationMs }) => {
    metrics.commands.inc({ protocol: 'pop3', command, result: ok ? 'ok' : 'err' });
    metrics.commandDuration.observe({ protocol: 'pop3', command }, durationMs / 1000);
  };
}
