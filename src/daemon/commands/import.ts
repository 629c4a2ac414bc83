/**
 * `mailroom import NAME PATH [--mailbox M]`: an mbox file, a Maildir (flags from the info suffix) or a
 * folder of .eml files, keeping internal dates; progress on stderr; running it again skips what is there.
 * Works while the daemon runs (the SQLite store is shared between processes).
 */
import { stat } from 'node:fs/promises';
import { importMessages } from '../../delivery/import.ts';
import { createProgress } from '../../delivery/progress.ts';
import { UnknownSourceError } from '../../delivery/sources.ts';
import { isStoreError } from '../../store/errors.ts';
import type { DaemonConfig } from '../config.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { openStore } from '../store.ts';

/** Failed messages listed on stderr at most; the count covers the rest. */
const MAX_LISTED_FAILURES = 20;

/** Import `path` into account `name`; resolves the exit code (65 when some messages could not be imported). */
export async function runImport(config: DaemonConfig, name: string, path: string, mailbox: string | null): Promise<number> {
  try {
    await stat(path);
  } catch (err) {
    throw new CliError(ExitCode.noInput, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const backend = await openStore(config.store, config.dataDir, { maxMessageSize: config.maxMessageSize });
  const progress = createProgress(process.stderr, `import ${name}`);
  let listed = 0;
  try {
    const result = await importMessages({
      backend,
      username: name,
      path,
      ...(mailbox !== null ? { mailbox } : {}),
      info: { protocol: 'cli', secure: true },
      onProgress: (done, total) => progress.update(done, total),
      onError: (origin, error) => {
        if (listed++ < MAX_LISTED_FAILURES) process.stderr.write(`\nmailroom import: ${origin}: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    });
    progress.done(`${result.imported} imported, ${result.skipped} already present, ${result.failed} failed`);
    return result.failed > 0 ? ExitCode.dataError : ExitCode.ok;
  } catch (err) {
    if (err instanceof UnknownSourceError) throw new CliError(ExitCode.dataError, err.message);
    if (isStoreError(err, 'notFound')) throw new CliError(ExitCode.noUser, `no account "${name}"`);
    throw err;
  } finally {
    await backend.close();
  }
}
