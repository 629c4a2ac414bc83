/**
 * Large mailboxes, on Dovecot, Mailroom/SQLite and Mailroom/memory in turn:
 *  - an INBOX of N messages (default 10,000; `--sizes 10000,100000` adds the 100,000 case): SELECT (first and
 *    again), FETCH 1:* (UID FLAGS), UID SEARCH on a flag, a header and body text, FETCH 1:* BODYSTRUCTURE,
 *    each run twice (the first run may build caches or indexes, the second shows the steady state);
 *  - POP3 STAT, UIDL and RETR of every message of that INBOX;
 *  - durable APPEND of `--append-count` messages (default 10,000) from `--append-connections` clients
 *    (default 4) that each wait for one APPEND before sending the next.
 * Dovecot's INBOX is written as Maildir files (its first SELECT then indexes them: that is in "SELECT first");
 * Mailroom's is filled by pipelined APPEND before the timed part.
 *
 *   node --import tsx bench/large-mailbox.ts [--sizes 10000] [--append-count 10000] [--append-connections 4]
 *        [--targets dovecot,mailroom-sqlite,mailroom-memory]
 */
import { ImapClient, searchUids, type CommandResult } from './lib/imap-client.ts';
import { Pop3Client } from './lib/pop3-client.ts';
import { ResourceMeter, treeCpuSeconds, type ResourceUsage } from './lib/proc.ts';
import { forEachTarget, parseTargets, BENCH_PASSWORD, type Target } from './lib/servers.ts';
import { appendCorpus, writeMaildir } from './lib/populate.ts';
import { BODY_NEEDLE, SUBJECT_NEEDLE, expectedMatches } from './lib/messages.ts';
import { Latencies, fmt, intFlag, parseFlags, printTable, ratio, withTimeout, writeResults } from './lib/report.ts';

/** Largest mailbox accepted (the corpus is ~3 KB a message: 100,000 is ~300 MB per target). */
export const MAX_SIZE = 100_000;
/** Deadline of one timed operation: a server that hangs must not hang the benchmark. */
const OP_TIMEOUT_MS = 300_000;
/** RETRs kept in flight when the server offers PIPELINING (RFC 2449). */
const RETR_WINDOW = 16;

/** One timed operation. */
export interface OpFigure {
  op: string;
  ms: number;
  /** Server CPU seconds spent during the operation. */
  cpuS: number;
  /** Responses/items seen (FETCH responses, SEARCH hits, messages retrieved ...). */
  items: number;
  /** Items expected, when known; a mismatch is shown in the table. */
  expected: number | null;
  status: string;
}

interface SizeResult {
  size: number;
  populateMs: number;
  ops: OpFigure[];
}

interface AppendResult {
  count: number;
  connections: number;
  ms: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuS: number;
}

/** Figures of one target. */
export interface LargeResult {
  sizes: SizeResult[];
  append: AppendResult | null;
  server: ResourceUsage;
}

async function timed(target: Target, op: string, expected: number | null, fn: () => Promise<{ items: number; status: string }>): Promise<OpFigure> {
  const cpu0 = treeCpuSeconds(target.pid);
  const t0 = performance.now();
  let items = 0;
  let status = 'OK';
  try {
    ({ items, status } = await withTimeout(op, OP_TIMEOUT_MS, fn));
  } catch (err) {
    status = `error: ${(err as Error).message.slice(0, 80)}`;
  }
  const ms = performance.now() - t0;
  const fig: OpFigure = { op, ms, cpuS: treeCpuSeconds(target.pid) - cpu0, items, expected, status };
  console.error(`    ${op}: ${fmt(ms)} ms, ${items} items${status === 'OK' ? '' : ` (${status})`}`);
  return fig;
}

function counted(c: ImapClient, cmd: string, match: RegExp): Promise<{ items: number; status: string }> {
  let n = 0;
  return c
    .command(cmd, { collect: false, expectOk: false, onUntagged: (u) => void (match.test(u.line) && n++) })
    .then((r: CommandResult) => ({ items: n, status: r.status === 'OK' ? 'OK' : `${r.status} ${r.text}` }));
}

async function search(c: ImapClient, criteria: string): Promise<{ items: number; status: string }> {
  const r = await c.command(`UID SEARCH ${criteria}`, { expectOk: false });
  return { items: searchUids(r).length, status: r.status === 'OK' ? 'OK' : `${r.status} ${r.text}` };
}

async function largeMailbox(target: Target, size: number): Promise<SizeResult> {
  const user = `big${size}`;
  const t0 = performance.now();
  console.error(`    populating ${user} with ${size} messages`);
  const progress = (n: number): void => console.error(`      ${n}/${size}`);
  if (target.maildir) writeMaildir(target.maildir(user), size, progress);
  else await appendCorpus(target.imapPort, user, 'INBOX', 0, size, (n) => n % 10_000 === 0 && progress(n));
  const populateMs = performance.now() - t0;

  const want = expectedMatches(size);
  const ops: OpFigure[] = [];
  const c = await ImapClient.connect(target.imapPort);
  try {
    await c.login(user, BENCH_PASSWORD);
    const select = async (): Promise<{ items: number; status: string }> => {
      let exists = 0;
      const r = await c.command('SELECT INBOX', { expectOk: false });
      for (const u of r.untagged) {
        const m = /^\* (\d+) EXISTS/i.exec(u.line);
        if (m) exists = Number(m[1]);
      }
      return { items: exists, status: r.status === 'OK' ? 'OK' : `${r.status} ${r.text}` };
    };
    ops.push(await timed(target, 'SELECT (first)', size, select));
    ops.push(await timed(target, 'SELECT (again)', size, select));
    for (const round of ['1st', '2nd']) {
      ops.push(await timed(target, `FETCH 1:* (UID FLAGS) ${round}`, size, () => counted(c, 'FETCH 1:* (UID FLAGS)', / FETCH /i)));
      ops.push(await timed(target, `UID SEARCH FLAGGED ${round}`, want.flagged, () => search(c, 'FLAGGED')));
      ops.push(await timed(target, `UID SEARCH HEADER Subject ${round}`, want.subject, () => search(c, `HEADER Subject "${SUBJECT_NEEDLE}"`)));
      ops.push(await timed(target, `UID SEARCH BODY ${round}`, want.body, () => search(c, `BODY "${BODY_NEEDLE}"`)));
      ops.push(await timed(target, `FETCH 1:* BODYSTRUCTURE ${round}`, size, () => counted(c, 'FETCH 1:* (BODYSTRUCTURE)', / FETCH /i)));
    }
  } finally {
    await c.logout();
  }

  // POP3 on the same INBOX.
  let p: Pop3Client | null = null;
  try {
    p = await Pop3Client.connect(target.pop3Port);
    await p.login(user, BENCH_PASSWORD);
    const pop = p;
    let pipelining = false;
    const capa = await pop.command('CAPA', true);
    if (capa.ok && capa.body && /^PIPELINING$/im.test(capa.body.toString('latin1'))) pipelining = true;
    ops.push(
      await timed(target, 'POP3 STAT', size, async () => {
        const r = await pop.command('STAT');
        return { items: r.ok ? Number(r.line.split(' ')[1]) : 0, status: r.ok ? 'OK' : r.line };
      }),
    );
    ops.push(
      await timed(target, 'POP3 UIDL', size, async () => {
        const r = await pop.command('UIDL', true);
        const lines = r.body ? r.body.toString('latin1').split('\r\n').filter(Boolean).length : 0;
        return { items: lines, status: r.ok ? 'OK' : r.line };
      }),
    );
    ops.push(
      await timed(target, `POP3 RETR x${size}${pipelining ? ' (pipelined)' : ''}`, size, async () => {
        let next = 1;
        let ok = 0;
        let firstErr = '';
        const worker = async (): Promise<void> => {
          while (next <= size) {
            const r = await pop.command(`RETR ${next++}`, true);
            if (r.ok) ok++;
            else if (!firstErr) firstErr = r.line;
          }
        };
        await Promise.all(Array.from({ length: pipelining ? RETR_WINDOW : 1 }, worker));
        return { items: ok, status: firstErr || 'OK' };
      }),
    );
  } catch (err) {
    ops.push({ op: 'POP3', ms: NaN, cpuS: NaN, items: 0, expected: null, status: `error: ${(err as Error).message}` });
  } finally {
    if (p) await p.quit();
  }
  return { size, populateMs, ops };
}

async function durableAppend(target: Target, count: number, connections: number): Promise<AppendResult> {
  console.error(`    durable APPEND of ${count} messages over ${connections} connections`);
  const lat = new Latencies();
  const per = Math.ceil(count / connections);
  const cpu0 = treeCpuSeconds(target.pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, k) => {
      const from = k * per;
      const n = Math.max(0, Math.min(per, count - from));
      const ms = await appendCorpus(target.imapPort, `appender${k}`, 'INBOX', from, n, undefined, 1);
      for (const m of ms) lat.add(m);
    }),
  );
  const ms = performance.now() - t0;
  return { count, connections, ms, perSec: (count / ms) * 1000, p50Ms: lat.quantile(0.5), p99Ms: lat.quantile(0.99), cpuS: treeCpuSeconds(target.pid) - cpu0 };
}

/** Run the benchmark with the given flags; returns the JSON written. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<unknown> {
  const flags = parseFlags(argv);
  const sizes = (flags.get('sizes') ?? '10000').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SIZE) throw new Error(`--sizes: each size must be an integer in [1, ${MAX_SIZE}]`);
    return n;
  });
  const appendCount = intFlag(flags, 'append-count', 10_000, 0, MAX_SIZE);
  const appendConnections = intFlag(flags, 'append-connections', 4, 1, 100);
  const targets = parseTargets(flags.get('targets'));
  console.log(`# large-mailbox: sizes ${sizes.join(', ')}; durable APPEND ${appendCount} over ${appendConnections} connections`);

  const outcomes = await forEachTarget(targets, async (t): Promise<LargeResult> => {
    const meter = new ResourceMeter(t.pid);
    meter.start();
    const out: SizeResult[] = [];
    for (const size of sizes) out.push(await largeMailbox(t, size));
    const append = appendCount > 0 ? await durableAppend(t, appendCount, appendConnections) : null;
    return { sizes: out, append, server: meter.stop() };
  });

  const ok = outcomes.filter((o) => o.ok) as { target: string; ok: true; result: LargeResult }[];
  for (const o of outcomes) if (!o.ok) console.log(`\n${o.target}: FAILED: ${o.error}`);
  const ref = ok.find((o) => o.target === 'dovecot')?.result;
  for (const size of sizes) {
    console.log(`\nMailbox of ${size} messages: wall ms (server CPU s)${ref ? '; ratio = time / Dovecot time' : ''}`);
    const base = ok[0]?.result.sizes.find((s) => s.size === size);
    if (!base) continue;
    const rows = base.ops.map((op, i) => {
      const cells = [op.op];
      for (const o of ok) {
        const f = o.result.sizes.find((s) => s.size === size)?.ops[i];
        if (!f) {
          cells.push('-');
          continue;
        }
        const bad = f.status !== 'OK' ? ` ${f.status.slice(0, 30)}` : f.expected !== null && f.items !== f.expected ? ` (${f.items}/${f.expected}!)` : '';
        const r = ref && o.target !== 'dovecot' ? ` ${ratio(f.ms, ref.sizes.find((s) => s.size === size)?.ops[i]?.ms)}` : '';
        cells.push(`${fmt(f.ms)} (${fmt(f.cpuS)})${r}${bad}`);
      }
      return cells;
    });
    rows.unshift(['populate (untimed setup)', ...ok.map((o) => fmt(o.result.sizes.find((s) => s.size === size)?.populateMs))]);
    printTable(['operation', ...ok.map((o) => o.target)], rows);
  }
  if (appendCount > 0) {
    console.log(`\nDurable APPEND of ${appendCount} messages, ${appendConnections} connections, one APPEND in flight each`);
    printTable(
      ['target', 'appends/s', 'p50 ms', 'p99 ms', 'server CPU s', 'ratio appends/s'],
      ok.map((o) => {
        const a = o.result.append!;
        return [o.target, fmt(a.perSec), fmt(a.p50Ms), fmt(a.p99Ms), fmt(a.cpuS), ref?.append ? ratio(a.perSec, ref.append.perSec) : '-'];
      }),
    );
  }
  console.log('\nServer memory over the whole run');
  printTable(
    ['target', 'peak RSS MiB', 'peak PSS MiB', 'ratio PSS'],
    ok.map((o) => [o.target, fmt(o.result.server.peakRssMiB), fmt(o.result.server.peakPssMiB), ref ? ratio(o.result.server.peakPssMiB, ref.server.peakPssMiB) : '-']),
  );
  const data = { benchmark: 'large-mailbox', date: new Date().toISOString(), config: { sizes, appendCount, appendConnections }, outcomes };
  console.log(`\nresults: ${writeResults('large-mailbox', data)}`);
  return data;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
