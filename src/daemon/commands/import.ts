/** `mailroom import NAME PATH` (placeholder until src/delivery lands). */
import type { DaemonConfig } from '../config.ts';
import { CliError, ExitCode } from '../exit-codes.ts';

/** Import a mailbox file or folder. */
export async function runImport(_config: DaemonConfig, _name: string, _path: string, _mailbox: string | null): Promise<number> {
  throw new CliError(ExitCode.software, 'import is not available yet');
}
