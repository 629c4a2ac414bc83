/**
 * The benchmark targets, started one after the other in the same run: a private Dovecot (the reference),
 * Mailroom with the SQLite store and Mailroom with the memory store (`bin/mailroom serve` on loopback with
 * `--static-password`, temp data directory). Every target is stopped at the end, also on error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDovecot } from './dovecot.ts';
import { waitForPort, SERVER_READY_TIMEOUT_MS } from './net.ts';

/** Names of the targets, in the order they run. */
export const TARGET_NAMES = ['dovecot', 'mailroom-sqlite', 'mailroom-memory'] as const;
/** A target name. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** The password of every benchmark user on every target. */
export const BENCH_PASSWORD = 'bench-password';

/** Grace period for Mailroom's graceful shutdown (the daemon promises to exit within 10 s). */
const MAILROOM_STOP_TIMEOUT_MS = 12_000;

/** Bytes of server log kept for failure reports. */
const LOG_TAIL_BYTES = 8192;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A running server under test. */
export interface Target {
  readonly name: TargetName;
  /** Root PID of the server process tree (Dovecot master, or the Mailroom node process). */
  readonly pid: number;
  readonly imapPort: number;
  readonly pop3Port: number;
  readonly lmtpPort: number;
  /** Dovecot only: the Maildir of a user, for direct population. */
  readonly maildir: ((user: string) => string) | null;
  readonly stop: () => Promise<void>;
  /** The last lines the server logged (Mailroom's stdout/stderr, Dovecot's log file), for failure reports. */
  readonly logTail: () => string;
}

/** Options for starting a target. */
export interface TargetOptions {
  /** Dovecot: hibernate IDLE sessions after this many seconds (0 = off). */
  dovecotHibernateSeconds?: number;
}

const running = new Set<Target>();
let signalsHooked = false;

/** On Ctrl-C or SIGTERM, exit through process.exit so every server's 'exit' cleanup runs. */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: stopping ${running.size} server(s)`);
      void Promise.allSettled([...running].map((t) => t.stop())).then(() => process.exit(130));
    });
  }
}

async function startMailroom(store: 'sqlite' | 'memory'): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), `mailroom-bench-${store}-`));
  // BENCH_CPU_PROF_DIR=dir: V8 CPU profile of the daemon, written when it exits (summarise it with
  // `node --import tsx bench/profile-summary.ts dir/*.cpuprofile`).
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const args = [
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    join(REPO_ROOT, 'bin/mailroom'),
    'serve',
    '--data',
    dataDir,
    '--store',
    store,
    '--imap',
    '127.0.0.1:0',
    '--pop3',
    '127.0.0.1:0',
    '--lmtp',
    '127.0.0.1:0',
    '--static-password',
    BENCH_PASSWORD,
    '--no-demo',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Default log level (info): the `listening:` lines are info, and Dovecot logs every login too.
    env: process.env,
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const kill = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let output = '';
  /** Most recent log bytes kept for failure reports. */
  let tail = '';
  const ports: Record<string, number> = {};
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mailroom (${store}) did not report its listeners within ${SERVER_READY_TIMEOUT_MS} ms`)), SERVER_READY_TIMEOUT_MS);
    const onData = (d: Buffer): void => {
      if (output.length < 100_000) output += d.toString();
      for (const m of output.matchAll(/listening: (\w+)=(?:127\.0\.0\.1|\[?::1\]?|localhost):(\d+)/g)) ports[m[1]] = Number(m[2]);
      if (ports.imap && ports.pop3 && ports.lmtp) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mailroom (${store}) exited with code ${code} before listening:\n${output.slice(-3000)}`));
    });
  });
  try {
    await ready;
    await waitForPort(ports.imap, () => !exited);
  } catch (err) {
    kill();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  // Keep draining the logs (so the daemon never blocks on a full pipe), remembering the last few KB.
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-LOG_TAIL_BYTES);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    name: store === 'sqlite' ? 'mailroom-sqlite' : 'mailroom-memory',
    pid: child.pid!,
    imapPort: ports.imap,
    pop3Port: ports.pop3,
    lmtpPort: ports.lmtp,
    maildir: null,
    logTail: () => tail,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), MAILROOM_STOP_TIMEOUT_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      process.removeListener('exit', kill);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Start one target and wait until its IMAP and POP3 ports accept connections. */
export async function startTarget(name: TargetName, options: TargetOptions = {}): Promise<Target> {
  hookSignals();
  let target: Target;
  if (name === 'dovecot') {
    const d = await startDovecot({ password: BENCH_PASSWORD, hibernateSeconds: options.dovecotHibernateSeconds ?? 0 });
    target = {
      name,
      pid: d.pid,
      imapPort: d.imapPort,
      pop3Port: d.pop3Port,
      lmtpPort: d.lmtpPort,
      maildir: d.maildir,
      stop: () => d.stop(),
      logTail: () => {
        try {
          return readFileSync(join(d.dir, 'dovecot.log'), 'utf8').slice(-LOG_TAIL_BYTES);
        } catch {
          return '';
        }
      },
    };
  } else {
    target = await startMailroom(name === 'mailroom-sqlite' ? 'sqlite' : 'memory');
  }
  const stop = target.stop;
  const wrapped: Target = {
    ...target,
    stop: async () => {
      if (!running.delete(wrapped)) return;
      await stop();
    },
  };
  running.add(wrapped);
  return wrapped;
}

/** Outcome of one target in a benchmark run. */
export type TargetOutcome<R> = { target: TargetName; ok: true; result: R } | { target: TargetName; ok: false; error: string };

/**
 * Run `body` against each target in turn (start, run, stop — stop also on error). A target that cannot
 * start or fails is reported and the run goes on with the next one.
 */
export async function forEachTarget<R>(names: readonly TargetName[], body: (t: Target) => Promise<R>, options: TargetOptions = {}): Promise<TargetOutcome<R>[]> {
  const out: TargetOutcome<R>[] = [];
  for (const name of names) {
    let target: Target | null = null;
    try {
      console.error(`--- ${name}: starting`);
      target = await startTarget(name, options);
      console.error(`--- ${name}: pid ${target.pid}, imap 127.0.0.1:${target.imapPort}, pop3 127.0.0.1:${target.pop3Port}`);
      const result = await body(target);
      out.push({ target: name, ok: true, result });
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      console.error(`--- ${name}: FAILED: ${msg.split('\n').slice(0, 6).join('\n')}`);
      const errors = (target?.logTail() ?? '').split('\n').filter((l) => /error|"level":[56]0/i.test(l)).slice(-5);
      if (errors.length > 0) console.error(`--- ${name}: last server errors:\n${errors.map((l) => l.slice(0, 600)).join('\n')}`);
      out.push({ target: name, ok: false, error: msg.split('\n')[0].slice(0, 100) });
    } finally {
      if (target) await target.stop();
    }
  }
  return out;
}

/** Parse `--targets a,b` (default: all three). */
export function parseTargets(value: string | undefined): TargetName[] {
  if (!value) return [...TARGET_NAMES];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(TARGET_NAMES as readonly string[]).includes(n)) throw new Error(`unknown target ${n}; known: ${TARGET_NAMES.join(', ')}`);
  }
  return names as TargetName[];
}
