/**
 * Client population load: N concurrent IMAP clients, each looping sessions of LOGIN, SELECT, FETCH of new
 * messages (FLAGS ENVELOPE BODY.PEEK[]), STORE of flags, APPEND, EXPUNGE, LOGOUT, for a fixed duration,
 * against Dovecot, Mailroom/SQLite and Mailroom/memory in turn. Reports commands/s per command and overall,
 * p50/p99 latency, server CPU seconds, peak memory and commands per server CPU-second, with ratios against
 * Dovecot, and writes JSON to bench/results/.
 *
 *   node --import tsx bench/imap-load.ts [--clients 10] [--duration 20] [--seed 20]
 *        [--mix append=2,fetch=2,store=2,expunge=1] [--targets dovecot,mailroom-sqlite,mailroom-memory]
 */
import { ImapClient, fetchUid, type CommandResult } from './lib/imap-client.ts';
import { ResourceMeter, type ResourceUsage } from './lib/proc.ts';
import { forEachTarget, parseTargets, BENCH_PASSWORD, type Target } from './lib/servers.ts';
import { appendCorpus } from './lib/populate.ts';
import { makeMessage } from './lib/messages.ts';
import { Latencies, fmt, intFlag, parseFlags, printTable, ratio, writeResults } from './lib/report.ts';

/** Most clients accepted: each is one socket here and one session (or process) on the server. */
export const MAX_CLIENTS = 1000;
/** Longest run per target, so that a typo cannot tie up the shared machine. */
export const MAX_DURATION_S = 600;
/** Users seeded at once before the timed phase (bounded so seeding does not itself become a load test). */
const SEED_CONCURRENCY = 10;
/** Offset into the message corpus for messages appended during the load (distinct from seed messages). */
const LOAD_MESSAGE_BASE = 1_000_000;
/** Distinct messages cycled through by APPEND during the load. */
const LOAD_MESSAGE_VARIANTS = 64;

/** Commands measured, in session order. */
const COMMANDS = ['LOGIN', 'SELECT', 'FETCH', 'STORE', 'APPEND', 'EXPUNGE', 'LOGOUT'] as const;
type CommandName = (typeof COMMANDS)[number];

interface Mix {
  append: number;
  fetch: number;
  store: number;
  expunge: number;
}

function parseMix(value: string | undefined): Mix {
  const mix: Mix = { append: 2, fetch: 2, store: 2, expunge: 1 };
  if (!value) return mix;
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    if (!(k in mix)) throw new Error(`--mix: unknown command ${k} (known: append, fetch, store, expunge)`);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 100) throw new Error(`--mix: ${k} must be an integer in [0, 100]`);
    mix[k as keyof Mix] = n;
  }
  return mix;
}

interface CommandStats {
  latencies: Latencies;
  errors: number;
}

interface LoadConfig {
  clients: number;
  durationS: number;
  seed: number;
  mix: Mix;
}

/** Per-client state that survives its sessions: the UIDs it knows are in its INBOX. */
class LoadClient {
  uids: number[] = [];
  lastUid = 0;
  appended = 0;
  sessions = 0;
  failedSessions = 0;

  constructor(
    readonly user: string,
    private readonly index: number,
    private readonly stats: Map<CommandName, CommandStats>,
  ) {}

  private record(name: CommandName, r: CommandResult): CommandResult {
    const s = this.stats.get(name)!;
    if (r.status === 'OK') s.latencies.add(r.ms);
    else s.errors++;
    return r;
  }

  private async fetchNew(c: ImapClient): Promise<void> {
    const r = await c.command(`UID FETCH ${this.lastUid + 1}:* (UID FLAGS ENVELOPE BODY.PEEK[])`, {
      collect: false,
      expectOk: false,
      onUntagged: (u) => {
        const uid = fetchUid(u);
        if (uid > this.lastUid) {
          this.lastUid = uid;
          this.uids.push(uid);
        }
      },
    });
    this.record('FETCH', r);
  }

  /** One session: LOGIN, SELECT, the mix of APPEND/FETCH/STORE interleaved, EXPUNGE(s), LOGOUT. */
  async session(port: number, mix: Mix): Promise<void> {
    const c = await ImapClient.connect(port);
    try {
      const login = this.record('LOGIN', await c.command(`LOGIN "${this.user}" "${BENCH_PASSWORD}"`, { expectOk: false }));
      // Servers may announce more after login (LITERAL+ decides how APPEND sends its literal).
      c.readCapabilityCode(login.text);
      this.record('SELECT', await c.command('SELECT INBOX', { expectOk: false }));
      const rounds = Math.max(mix.append, mix.fetch, mix.store);
      for (let i = 0; i < rounds; i++) {
        if (i < mix.append) {
          const msg = makeMessage(LOAD_MESSAGE_BASE + ((this.index * 7 + this.appended++) % LOAD_MESSAGE_VARIANTS));
          this.record('APPEND', await c.command(['APPEND INBOX ', msg], { expectOk: false }));
        }
        if (i < mix.fetch) await this.fetchNew(c);
        if (i < mix.store && this.uids.length > 0) {
          const uid = this.uids[(this.appended + i) % this.uids.length];
          const op = (this.appended + i) % 2 === 0 ? '+' : '-';
          this.record('STORE', await c.command(`UID STORE ${uid} ${op}FLAGS (\\Seen \\Flagged)`, { expectOk: false }));
        }
      }
      // Keep the mailbox near its seeded size: expunge as many of the oldest messages as were appended.
      for (let e = 0; e < mix.expunge; e++) {
        const n = Math.ceil(mix.append / Math.max(1, mix.expunge));
        if (this.uids.length <= n) break;
        const victims = this.uids.splice(0, n);
        this.record('STORE', await c.command(`UID STORE ${victims.join(',')} +FLAGS.SILENT (\\Deleted)`, { expectOk: false }));
        this.record('EXPUNGE', await c.command('EXPUNGE', { expectOk: false }));
      }
      this.record('LOGOUT', await c.command('LOGOUT', { expectOk: false }));
      this.sessions++;
    } catch {
      this.failedSessions++;
    } finally {
      c.close();
    }
  }
}

/** Figures of one target. */
export interface LoadResult {
  config: LoadConfig;
  elapsedS: number;
  sessions: number;
  failedSessions: number;
  commands: Record<string, { count: number; perSec: number; p50Ms: number; p99Ms: number; errors: number }>;
  total: { count: number; perSec: number; p50Ms: number; p99Ms: number; errors: number };
  server: ResourceUsage;
  commandsPerCpuSecond: number;
}

async function runLoad(target: Target, cfg: LoadConfig): Promise<LoadResult> {
  const stats = new Map<CommandName, CommandStats>(COMMANDS.map((n) => [n, { latencies: new Latencies(), errors: 0 }]));
  const clients = Array.from({ length: cfg.clients }, (_, i) => new LoadClient(`load${i}`, i, stats));
  // Seed every user's INBOX (untimed), then learn the UIDs with one FETCH.
  console.error(`    seeding ${cfg.clients} users x ${cfg.seed} messages`);
  let nextSeed = 0;
  await Promise.all(
    Array.from({ length: Math.min(SEED_CONCURRENCY, cfg.clients) }, async () => {
      while (nextSeed < clients.length) {
        const client = clients[nextSeed++];
        if (cfg.seed > 0) await appendCorpus(target.imapPort, client.user, 'INBOX', 0, cfg.seed);
      }
    }),
  );
  for (const s of stats.values()) {
    s.latencies = new Latencies();
    s.errors = 0;
  }

  const meter = new ResourceMeter(target.pid);
  meter.start();
  const t0 = performance.now();
  const deadline = t0 + cfg.durationS * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) await client.session(target.imapPort, cfg.mix);
    }),
  );
  const elapsedS = (performance.now() - t0) / 1000;
  const server = meter.stop();

  const all = new Latencies();
  const commands: LoadResult['commands'] = {};
  let total = 0;
  let errors = 0;
  for (const name of COMMANDS) {
    const s = stats.get(name)!;
    commands[name] = { count: s.latencies.count, perSec: s.latencies.count / elapsedS, p50Ms: s.latencies.quantile(0.5), p99Ms: s.latencies.quantile(0.99), errors: s.errors };
    total += s.latencies.count;
    errors += s.errors;
  }
  // Overall quantiles over every command sample.
  for (const name of COMMANDS) all.addAll(stats.get(name)!.latencies);
  return {
    config: cfg,
    elapsedS,
    sessions: clients.reduce((a, c) => a + c.sessions, 0),
    failedSessions: clients.reduce((a, c) => a + c.failedSessions, 0),
    commands,
    total: { count: total, perSec: total / elapsedS, p50Ms: all.quantile(0.5), p99Ms: all.quantile(0.99), errors },
    server,
    commandsPerCpuSecond: server.cpuSeconds > 0 ? total / server.cpuSeconds : NaN,
  };
}

/** Run the benchmark with the given flags; returns the JSON written. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<unknown> {
  const flags = parseFlags(argv);
  const cfg: LoadConfig = {
    clients: intFlag(flags, 'clients', 10, 1, MAX_CLIENTS),
    durationS: intFlag(flags, 'duration', 20, 1, MAX_DURATION_S),
    seed: intFlag(flags, 'seed', 20, 0, 10_000),
    mix: parseMix(flags.get('mix')),
  };
  const targets = parseTargets(flags.get('targets'));
  console.log(`# imap-load: ${cfg.clients} clients, ${cfg.durationS} s per target, seed ${cfg.seed} msgs/user, mix ${JSON.stringify(cfg.mix)}`);
  const outcomes = await forEachTarget(targets, (t) => runLoad(t, cfg));

  const ok = outcomes.filter((o) => o.ok) as { target: string; ok: true; result: LoadResult }[];
  const ref = ok.find((o) => o.target === 'dovecot')?.result;
  console.log('\nOverall');
  printTable(
    ['target', 'cmds/s', 'p50 ms', 'p99 ms', 'sessions', 'errors', 'CPU s', 'peak RSS MiB', 'peak PSS MiB', 'cmds/CPU-s'],
    outcomes.map((o) =>
      o.ok
        ? [o.target, fmt(o.result.total.perSec), fmt(o.result.total.p50Ms), fmt(o.result.total.p99Ms), String(o.result.sessions), String(o.result.total.errors + o.result.failedSessions), fmt(o.result.server.cpuSeconds), fmt(o.result.server.peakRssMiB), fmt(o.result.server.peakPssMiB), fmt(o.result.commandsPerCpuSecond)]
        : [o.target, `FAILED: ${o.error}`, '', '', '', '', '', '', '', ''],
    ),
  );
  console.log('\nPer command: commands/s (p50 / p99 ms)');
  printTable(
    ['command', ...ok.map((o) => o.target)],
    COMMANDS.map((name) => [name, ...ok.map((o) => {
      const c = o.result.commands[name];
      return `${fmt(c.perSec)} (${fmt(c.p50Ms)} / ${fmt(c.p99Ms)})${c.errors ? ` ${c.errors} err` : ''}`;
    })]),
  );
  if (ref) {
    console.log('\nRatios against Dovecot (throughput and cmds/CPU-s: higher is better; latency and memory: lower is better)');
    printTable(
      ['target', 'cmds/s', 'p50', 'p99', 'cmds/CPU-s', 'peak PSS'],
      ok.filter((o) => o.target !== 'dovecot').map((o) => [o.target, ratio(o.result.total.perSec, ref.total.perSec), ratio(o.result.total.p50Ms, ref.total.p50Ms), ratio(o.result.total.p99Ms, ref.total.p99Ms), ratio(o.result.commandsPerCpuSecond, ref.commandsPerCpuSecond), ratio(o.result.server.peakPssMiB, ref.server.peakPssMiB)]),
    );
  }
  const data = { benchmark: 'imap-load', date: new Date().toISOString(), config: cfg, outcomes };
  console.log(`\nresults: ${writeResults('imap-load', data)}`);
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
