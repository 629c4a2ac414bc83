/**
 * Entry point of bin/mailroom and `npm start`: parses the command line, runs the command, maps failures to
 * sysexits codes (see cli.ts EXIT_CODES_HELP, README.md).
 */
import { pathToFileURL } from 'node:url';
import { parseCommandLine, type Command } from './cli.ts';
import { ConfigError, loadConfig, type DaemonConfig } from './config.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { passwordFromStdin, passwordFromTerminal } from './password-input.ts';
import { openStore, type DaemonBackend } from './store.ts';
import { TlsConfigError } from './tls.ts';
import { userAdd, userDel, userList, userPasswd } from './commands/user.ts';
import { runDeliver } from './commands/deliver.ts';
import { runImport } from './commands/import.ts';
import { runServe } from './serve.ts';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function withStore<T>(config: DaemonConfig, fn: (backend: DaemonBackend) => Promise<T>): Promise<T> {
  const backend = await openStore(config.store, config.dataDir, { maxMessageSize: config.maxMessageSize });
  try {
    return await fn(backend);
  } finally {
    await backend.close();
  }
}

async function runCommand(command: Exclude<Command, { kind: 'help' }>): Promise<number> {
  const config = loadConfig(command.overrides);
  switch (command.kind) {
    case 'serve':
      return runServe(config);
    case 'user-add':
    case 'user-passwd': {
      // Read the password before opening the store: a prompt must not hold a database handle.
      const password = command.passwordStdin ? await passwordFromStdin() : await passwordFromTerminal();
      await withStore(config, (b) => (command.kind === 'user-add' ? userAdd(b, command.name, password, print) : userPasswd(b, command.name, password, print)));
      return ExitCode.ok;
    }
    case 'user-del':
      await withStore(config, (b) => userDel(b, command.name, print));
      return ExitCode.ok;
    case 'user-list':
      await withStore(config, (b) => userList(b, print));
      return ExitCode.ok;
    case 'deliver':
      return runDeliver(config, command.name, command.mailbox);
    case 'import':
      return runImport(config, command.name, command.path, command.mailbox);
  }
}

/** Run the CLI with `argv` (without node and script); resolves the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (err) {
    process.stderr.write(`mailroom: ${(err as Error).message}\n`);
    return err instanceof CliError ? err.exitCode : ExitCode.usage;
  }
  if (command.kind === 'help') {
    process.stdout.write(command.text);
    return ExitCode.ok;
  }
  try {
    return await runCommand(command);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`mailroom: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError || err instanceof TlsConfigError) {
      process.stderr.write(`mailroom: ${err.message}\n`);
      return ExitCode.config;
    }
    process.stderr.write(`mailroom: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    // A delivery that failed for an unknown reason must be retried by the MTA, not bounced.
    return command.kind === 'deliver' ? ExitCode.tempFail : ExitCode.software;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
/** Set by bin/mailroom, which imports this module instead of running it as the script. */
const launchedByBin = (globalThis as { __mailroomBin?: boolean }).__mailroomBin === true;

if (invokedDirectly || launchedByBin) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
