/**
 * Many IDLE connections (RFC 2177), on Dovecot, Mailroom/SQLite and Mailroom/memory in turn: N clients
 * (default 1,000, at most 10,000) log in as the same user, SELECT INBOX and IDLE. Reports server memory per
 * connection (PSS and RSS of the server process tree, idle minus a one-connection baseline, divided by N) and
 * the time from one APPEND (sent by another connection) to the `* n EXISTS` reaching every idler.
 * A target whose CAPABILITY lacks IDLE is reported "not supported" for the EXISTS timing; its memory per
 * connection is still measured, with sessions that are logged in and have INBOX selected.
 *
 *   node --import tsx bench/idle-connections.ts [--connections 1000] [--dovecot-hibernate 0]
 *        [--targets dovecot,mailroom-sqlite,mailroom-memory]
 *
 * Each connection is one file descriptor here and one in the server: `ulimit -n` must exceed the count plus
 * a margin (the script lowers the count to fit and says so).
 */
import { readFileSync } from 'node:fs';
import { ImapClient, existsCount } from './lib/imap-client.ts';
import { treeCpuSeconds, treeMemory, type MemorySample, type ResourceUsage } from './lib/proc.ts';
import { forEachTarget, parseTargets, BENCH_PASSWORD, type Target } from './lib/servers.ts';
import { makeMessage } from './lib/messages.ts';
import { Latencies, fmt, intFlag, parseFlags, printTable, ratio, writeResults } from './lib/report.ts';

/** Most connections accepted (the issue's target). */
export const MAX_CONNECTIONS = 10_000;
/** Connections being set up at once: fast without looking like a SYN flood to the listen backlog. */
const SETUP_CONCURRENCY = 50;
/** How long to wait for the EXISTS to reach every idler before giving up on the stragglers. */
const DELIVERY_TIMEOUT_MS = 30_000;
/** Pause after the last IDLE before sampling memory, so servers settle (and Dovecot can hibernate). */
const SETTLE_MS = 3_000;
/** File descriptors kept free for everything else the benchmark process opens. */
const FD_MARGIN = 200;
/** The shared mailbox's user. */
const IDLE_USER = 'idler';

function fdLimit(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

/** Figures of one target. */
export interface IdleResult {
  supported: boolean;
  connections: number;
  setupS: number;
  baseline: MemorySample;
  idle: MemorySample;
  pssPerConnKiB: number;
  rssPerConnKiB: number;
  delivered: number;
  firstMs: number;
  p50Ms: number;
  p99Ms: number;
  allMs: number | null;
  server: ResourceUsage;
}

async function openIdler(port: number, onExists: (c: ImapClient, n: number) => void, useIdle: boolean): Promise<ImapClient> {
  const c = await ImapClient.connect(port);
  await c.login(IDLE_USER, BENCH_PASSWORD);
  await c.command('SELECT INBOX');
  c.onUnsolicited = (r) => {
    const n = existsCount(r);
    if (n >= 0) onExists(c, n);
  };
  if (useIdle) await c.idle();
  return c;
}

async function runIdle(target: Target, wanted: number): Promise<IdleResult> {
  // No periodic sampler here: with 10,000 Dovecot processes one memory sample reads 10,000 smaps files, which
  // would stall the clients; memory is sampled at the two moments that matter instead.
  const cpu0 = treeCpuSeconds(target.pid);
  const usage = (m: MemorySample): ResourceUsage => ({
    cpuSeconds: treeCpuSeconds(target.pid) - cpu0,
    peakRssMiB: m.rssKiB / 1024,
    peakPssMiB: m.pssKiB / 1024,
    peakProcesses: m.processes,
  });
  // Baseline: the account exists, INBOX has one message, one connection is open.
  const control = await ImapClient.connect(target.imapPort);
  await control.login(IDLE_USER, BENCH_PASSWORD);
  await control.capability();
  // Without IDLE the sessions are still opened (logged in, INBOX selected) so that memory per connection is
  // measured; the EXISTS timing is then "not supported".
  const supported = control.has('IDLE');
  if (!supported) console.error('    IDLE not in CAPABILITY: not supported; measuring memory of selected sessions only');
  await control.command(['APPEND INBOX ', makeMessage(0)]);
  await new Promise((r) => setTimeout(r, 500));
  const baseline = treeMemory(target.pid);

  let t0 = 0n;
  let expected = Infinity;
  const arrival = new Map<ImapClient, number>();
  let resolveAll: () => void = () => undefined;
  const allArrived = new Promise<void>((r) => (resolveAll = r));
  const idlers: ImapClient[] = [];
  const onExists = (c: ImapClient, n: number): void => {
    if (n < expected || arrival.has(c) || t0 === 0n) return;
    arrival.set(c, Number(process.hrtime.bigint() - t0) / 1e6);
    if (arrival.size === idlers.length) resolveAll();
  };

  console.error(`    opening ${wanted} ${supported ? 'IDLE' : 'selected (no IDLE)'} connections`);
  const s0 = performance.now();
  let next = 0;
  let failures = 0;
  let firstError = '';
  await Promise.all(
    Array.from({ length: Math.min(SETUP_CONCURRENCY, wanted) }, async () => {
      while (next < wanted) {
        next++;
        try {
          idlers.push(await openIdler(target.imapPort, onExists, supported));
          if (idlers.length % 1000 === 0) console.error(`      ${idlers.length}`);
        } catch (err) {
          failures++;
          if (!firstError) firstError = (err as Error).message;
        }
      }
    }),
  );
  const setupS = (performance.now() - s0) / 1000;
  if (failures > 0) console.error(`    ${failures} connections failed (first: ${firstError})`);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const idle = treeMemory(target.pid);
  console.error(`    ${idlers.length} ${supported ? 'idling' : 'selected'}; memory PSS ${fmt(baseline.pssKiB / 1024)} -> ${fmt(idle.pssKiB / 1024)} MiB`);
  const n = Math.max(1, idlers.length);
  const perConn = { pssPerConnKiB: (idle.pssKiB - baseline.pssKiB) / n, rssPerConnKiB: (idle.rssKiB - baseline.rssKiB) / n };
  if (!supported) {
    for (const c of idlers) c.close();
    await control.logout();
    return {
      supported, connections: idlers.length, setupS, baseline, idle, ...perConn,
      delivered: 0, firstMs: NaN, p50Ms: NaN, p99Ms: NaN, allMs: null, server: usage(idle),
    };
  }

  // One APPEND from the control connection; time until every idler has seen the new EXISTS.
  expected = 2;
  t0 = process.hrtime.bigint();
  await control.command(['APPEND INBOX ', makeMessage(1)]);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([allArrived, new Promise<void>((r) => (timer = setTimeout(r, DELIVERY_TIMEOUT_MS)))]);
  clearTimeout(timer);
  const lat = new Latencies();
  for (const ms of arrival.values()) lat.add(ms);
  const delivered = arrival.size;
  console.error(`    EXISTS reached ${delivered}/${idlers.length} idlers`);

  // Tear down in batches (DONE + LOGOUT would be N more round trips; closing is what clients do too).
  for (const c of idlers) c.close();
  await control.logout();
  return {
    supported: true,
    connections: idlers.length,
    setupS,
    baseline,
    idle,
    ...perConn,
    delivered,
    firstMs: lat.quantile(0),
    p50Ms: lat.quantile(0.5),
    p99Ms: lat.quantile(0.99),
    allMs: delivered === idlers.length && delivered > 0 ? lat.quantile(1) : null,
    server: usage(idle),
  };
}

/** Run the benchmark with the given flags; returns the JSON written. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<unknown> {
  const flags = parseFlags(argv);
  let connections = intFlag(flags, 'connections', 1000, 1, MAX_CONNECTIONS);
  const hibernate = intFlag(flags, 'dovecot-hibernate', 0, 0, 60);
  const targets = parseTargets(flags.get('targets'));
  const limit = fdLimit();
  if (connections + FD_MARGIN > limit) {
    const fit = Math.max(1, limit - FD_MARGIN);
    console.log(`# ulimit -n is ${limit}: lowering --connections from ${connections} to ${fit} (raise it with: ulimit -n ${connections + FD_MARGIN})`);
    connections = fit;
  }
  console.log(`# idle-connections: ${connections} IDLE connections per target${hibernate ? `, Dovecot imap_hibernate_timeout ${hibernate}s` : ''}`);
  const outcomes = await forEachTarget(targets, (t) => runIdle(t, connections), { dovecotHibernateSeconds: hibernate });

  const ok = outcomes.filter((o) => o.ok) as { target: string; ok: true; result: IdleResult }[];
  const ref = ok.find((o) => o.target === 'dovecot' && o.result.supported)?.result;
  console.log('');
  printTable(
    ['target', 'idlers', 'setup s', 'PSS KiB/conn', 'RSS KiB/conn', 'server PSS MiB', 'procs', 'EXISTS to all ms', 'first ms', 'p50 ms', 'p99 ms', 'reached'],
    outcomes.map((o) => {
      if (!o.ok) return [o.target, `FAILED: ${o.error}`];
      const r = o.result;
      const mem = [String(r.connections), fmt(r.setupS), fmt(r.pssPerConnKiB), fmt(r.rssPerConnKiB), fmt(r.idle.pssKiB / 1024), String(r.idle.processes)];
      if (!r.supported) return [`${o.target} (no IDLE: selected sessions)`, ...mem, 'not supported', '-', '-', '-', '-'];
      return [o.target, ...mem, r.allMs === null ? 'not all' : fmt(r.allMs), fmt(r.firstMs), fmt(r.p50Ms), fmt(r.p99Ms), `${r.delivered}/${r.connections}`];
    }),
  );
  if (ref) {
    console.log('\nRatios against Dovecot (lower is better)');
    printTable(
      ['target', 'PSS/conn', 'EXISTS to all'],
      ok.filter((o) => o.target !== 'dovecot').map((o) => [o.target, ratio(o.result.pssPerConnKiB, ref.pssPerConnKiB), o.result.supported ? ratio(o.result.allMs, ref.allMs) : 'not supported']),
    );
  }
  const data = { benchmark: 'idle-connections', date: new Date().toISOString(), config: { connections, dovecotHibernateSeconds: hibernate }, outcomes };
  console.log(`\nresults: ${writeResults('idle-connections', data)}`);
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
