/**
 * `npm run bench`: every benchmark in turn with its defaults (about 10 minutes on a 2-core machine), each
 * against Dovecot, Mailroom/SQLite and Mailroom/memory: imap-load, large-mailbox, idle-connections and
 * idle-latency. Each still runs alone: `node --import tsx bench/<name>.ts`.
 *
 *   node --import tsx bench/run-all.ts [--targets dovecot,mailroom-sqlite,mailroom-memory] [--big]
 *
 * `--big` adds the 100,000-message mailbox and 10,000 IDLE connections (much longer: populating 100,000
 * messages by APPEND into the SQLite store alone takes minutes).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main as imapLoad } from './imap-load.ts';
import { main as largeMailbox } from './large-mailbox.ts';
import { main as idleConnections } from './idle-connections.ts';
import { machineInfo, parseFlags } from './lib/report.ts';

/**
 * Run a benchmark script in a child node process and wait for it. idle-latency.ts runs at import time and
 * reads process.argv (it has no `main(argv)` export), so it cannot be called in-process like the others.
 */
function runScript(file: string, argv: string[]): Promise<void> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, ...argv], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${file} exited with ${signal ?? `code ${code}`}`));
    });
  });
}

const flags = parseFlags();
const common = flags.has('targets') ? ['--targets', flags.get('targets')!] : [];
const big = flags.get('big') === 'true';

const runs: { name: string; run: () => Promise<unknown> }[] = [
  { name: 'imap-load', run: () => imapLoad([...common]) },
  { name: 'large-mailbox', run: () => largeMailbox([...common, ...(big ? ['--sizes', '10000,100000'] : [])]) },
  { name: 'idle-connections', run: () => idleConnections([...common, ...(big ? ['--connections', '10000'] : [])]) },
  { name: 'idle-latency', run: () => runScript('./idle-latency.ts', [...common]) },
];

const started = Date.now();
console.log(`# ${new Date().toISOString()} machine: ${JSON.stringify(machineInfo())}`);
let failed = 0;
for (const { name, run } of runs) {
  console.log(`\n================ ${name} ================`);
  try {
    await run();
  } catch (err) {
    failed++;
    console.error(`${name} failed: ${(err as Error).stack ?? String(err)}`);
  }
}
console.log(`# load average at the end: ${machineInfo().loadavg.join(' ')}`);
console.log(`\nall benchmarks done in ${((Date.now() - started) / 1000).toFixed(0)} s${failed ? `, ${failed} failed` : ''}`);
process.exitCode = failed ? 1 : 0;
