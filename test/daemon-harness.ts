/**
 * Test harness for the daemon's end-to-end tests: runs bin/mailroom as a child process on a temporary data
 * directory with every listener on 127.0.0.1 port 0, and reads the bound ports from its
 * `listening: NAME=HOST:PORT` log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI under test. */
export const BIN = join(ROOT, 'bin', 'mailroom');
/** Waiting for a daemon to be ready, or for a CLI command, longer than this is a failure (slow CI: generous). */
export const START_TIMEOUT_MS = 60_000;

/** Environment for children: no MAILROOM_* leaking from the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MAILROOM_')) env[k] = v;
  return { ...env, ...extra };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'mailroom-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An imapflow client for the daemon's plain IMAP port, without STARTTLS (loopback counts as secure) and
 * without auto-IDLE, so that every exchange is one the test asked for.
 */
export function imapClient(port: number, user: string, pass: string): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false, disableAutoIdle: true });
}

/** Result of a finished CLI command. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `bin/mailroom ...args` to completion, feeding `input` on stdin. */
export function runCli(args: readonly string[], options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** One parsed JSON log line of the daemon. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A running daemon. */
export interface Daemon {
  readonly child: ChildProcess;
  /** Bound ports by listener name. */
  readonly ports: Readonly<Record<string, number>>;
  /** Every log line so far (JSON lines on stdout). */
  readonly logs: LogLine[];
  /** Everything written on stderr. */
  stderr(): string;
  /** Resolves when a log line matches (or rejects after the timeout). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<LogLine>;
  /** Send a signal and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the exit status when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Flags that put every listener on 127.0.0.1 port 0. */
export const ALL_EPHEMERAL = ['--imap', '127.0.0.1:0', '--imaps', '127.0.0.1:0', '--pop3', '127.0.0.1:0', '--pop3s', '127.0.0.1:0', '--lmtp', '127.0.0.1:0', '--metrics', '127.0.0.1:0'];

/**
 * Start `mailroom serve --data DIR ...args` and wait for its `ready` line. Rejects with the output when the
 * daemon exits first.
 */
export function startDaemon(dataDir: string, args: readonly string[] = ALL_EPHEMERAL, env: Record<string, string> = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dataDir, ...args], {
    cwd: ROOT,
    env: cleanEnv({ MAILROOM_LOG_FORMAT: 'json', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const ports: Record<string, number> = {};
  const waiters: Array<{ pattern: RegExp; resolve: (l: LogLine) => void }> = [];
  let stderr = '';
  let pending = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  child.stdout.on('data', (c: Buffer) => {
    pending += c.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      logs.push(line);
      const m = /^listening: (\w+)=(?:\[[^\]]+\]|[^:]+):(\d+)$/.exec(line.msg);
      if (m) ports[m[1]] = Number(m[2]);
      for (const w of [...waiters]) {
        if (w.pattern.test(line.msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const waitForLog = (pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<LogLine> => {
    const seen = logs.find((l) => pattern.test(l.msg));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line ${pattern} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      const entry = {
        pattern,
        resolve: (l: LogLine) => {
          clearTimeout(timer);
          resolvePromise(l);
        },
      };
      waiters.push(entry);
      void exited.then((status) => {
        clearTimeout(timer);
        reject(new Error(`daemon exited (${JSON.stringify(status)}) before ${pattern}; stderr: ${stderr}; log: ${logs.map((l) => l.msg).join(' | ')}`));
      });
    });
  };
  const daemon: Daemon = {
    child,
    ports,
    logs,
    stderr: () => stderr,
    waitForLog,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return waitForLog(/^ready$/).then(
    () => daemon,
    (err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    },
  );
}

/** A small RFC 5322 message with CRLF line endings. */
export function sampleMessage(subject: string, body = 'Hello.', extra: Record<string, string> = {}): string {
  const headers = {
    From: 'Sender <sender@example.test>',
    To: 'rcpt@example.test',
    Subject: subject,
    Date: 'Fri, 20 Nov 2026 10:00:00 +0000',
    'Message-ID': `<${subject.replace(/[^A-Za-z0-9]/g, '.')}.${Math.random().toString(36).slice(2)}@example.test>`,
    ...extra,
  };
  return `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body}\r\n`;
}

/** Run python3 with a script on stdin; resolves stdout, rejects with stderr on failure. */
export function python(script: string, args: readonly string[] = []): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('python3', ['-', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`python3 exited ${code}: ${err}`));
    });
    child.stdin.end(script);
  });
}

/** Number of messages in a mailbox, by STATUS (imapflow's status() resolves false on failure). */
export async function messageCount(client: ImapFlow, mailbox = 'INBOX'): Promise<number> {
  const status = await client.status(mailbox, { messages: true });
  if (status === false || status.messages === undefined) throw new Error(`STATUS ${mailbox} failed`);
  return status.messages;
}
