/**
 * `mailroom deliver NAME [--mailbox M] < message.eml`: one message on stdin, for Postfix's
 * `mailbox_command` (like dovecot-lda). Exit codes are sysexits so that Postfix bounces or retries:
 * 0 delivered, 67 unknown user (bounce), 65 message too big (bounce), 75 anything temporary or unexpected
 * (Postfix retries: a store failure must never lose mail).
 */
import { deliver, type DeliveryResult } from '../../delivery/deliver.ts';
import { ensureAccount } from '../accounts.ts';
import type { DaemonConfig } from '../config.ts';
import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { readAll } from '../password-input.ts';
import { openStore } from '../store.ts';

/**
 * Bytes read from stdin at most: twice the size limit, because LF -> CRLF normalization can grow a message
 * up to twice; deliver() applies the exact limit after normalization.
 */
const stdinLimit = (maxMessageSize: number) => maxMessageSize * 2 + 2;

/** Exit code for a delivery result. */
export function exitCodeOf(result: DeliveryResult): ExitCodeValue {
  switch (result.status) {
    case 'delivered':
      return ExitCode.ok;
    case 'unknownUser':
      return ExitCode.noUser;
    case 'tooBig':
      return ExitCode.dataError;
    case 'overQuota':
    case 'temporary':
    case 'failed':
      return ExitCode.tempFail;
  }
}

/** Deliver stdin to `name`; resolves the exit code. */
export async function runDeliver(config: DaemonConfig, name: string, mailbox: string | null): Promise<number> {
  let message: Buffer;
  try {
    message = await readAll(process.stdin, stdinLimit(config.maxMessageSize));
  } catch (err) {
    if (err instanceof CliError) throw new CliError(ExitCode.dataError, `message larger than ${config.maxMessageSize} bytes`);
    throw new CliError(ExitCode.tempFail, `cannot read the message: ${(err as Error).message}`);
  }
  if (message.length === 0) throw new CliError(ExitCode.dataError, 'empty message on standard input');
  let backend;
  try {
    backend = await openStore(config.store, config.dataDir, { maxMessageSize: config.maxMessageSize });
  } catch (err) {
    if (err instanceof CliError && err.exitCode === ExitCode.config) throw err;
    throw new CliError(ExitCode.tempFail, `cannot open the store: ${(err as Error).message}`, { cause: err });
  }
  try {
    const staticMode = config.staticPassword !== null;
    const [result] = await deliver({
      backend,
      message,
      recipients: [name],
      ...(mailbox !== null ? { mailbox } : {}),
      maxMessageSize: config.maxMessageSize,
      // Postfix's local(8) already prepends Delivered-To and Return-Path for mailbox_command.
      addDeliveredTo: false,
      info: { protocol: 'cli', secure: true },
      ...(staticMode
        ? {
            createMissing: async (account: string) => {
              await ensureAccount(backend, account);
              return true;
            },
          }
        : {}),
    });
    const code = exitCodeOf(result);
    if (code !== ExitCode.ok) {
      const detail = result.error instanceof Error ? ` (${result.error.message})` : '';
      process.stderr.write(`mailroom deliver: ${name}: ${result.message}${detail}\n`);
    }
    return code;
  } finally {
    await backend.close();
  }
}
