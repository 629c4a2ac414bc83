/**
 * IDLE notification latency (RFC 2177) and the memory an idle connection costs, on Mailroom/memory,
 * Mailroom/SQLite and Dovecot in turn (the same run, bench/lib/servers.ts).
 *
 * One session SELECTs INBOX and IDLEs. Another session, in rounds, APPENDs a message, STOREs a flag,
 * EXPUNGEs a message and MOVEs one to another mailbox (when MOVE is advertised); an LMTP delivery arrives
 * through the target's LMTP listener (Mailroom's src/lmtp/server.ts). For each kind the benchmark prints
 * how long the notification took to reach the idler:
 *   - "from send": from the first byte of the actor's command (LMTP: of MAIL FROM) to the idler's line;
 *   - "after ack": from the actor's tagged OK (LMTP: the per-recipient 250) to the idler's line; negative
 *     when the notification overtook the acknowledgement, which is what an in-process change feed does.
 * Then N more sessions IDLE and the server process tree's memory grows by "bytes per idle connection".
 *
 *   node --import tsx bench/idle-latency.ts [--rounds 30] [--idlers 200] [--targets mailroom-memory,mailroom-sqlite,dovecot]
 *
 * Mailroom's store change feed is synchronous in-process, so changes made through the same daemon (IMAP
 * sessions, LMTP) reach idlers in well under the 100 ms target. A delivery by ANOTHER process
 * (`bin/mailroom deliver`, a second daemon) reaches SQLite-backed idlers through the store's 200 ms poll,
 * so up to about 200 ms; that path is not measured here.
 */
import net from 'node:net';
import { ImapClient, existsCount, type ImapResponse } from './lib/imap-client.ts';
import { treeMemory } from './lib/proc.ts';
import { forEachTarget, parseTargets, BENCH_PASSWORD, type Target } from './lib/servers.ts';
import { Latencies, fmt, intFlag, parseFlags, printTable, writeResults } from './lib/report.ts';

/** Longest wait for one notification before the round is counted as lost. */
const NOTIFY_TIMEOUT_MS = 10_000;
/** Pause after opening the extra idlers before sampling memory, so the servers settle. */
const SETTLE_MS = 1_500;
/** Idle connections opened at once for the memory figure. */
const SETUP_CONCURRENCY = 50;
/**
 * The account, named like an address so that the IMAP login and the LMTP recipient are the same user on
 * every target (Dovecot keeps the domain in %u; Mailroom delivers local@domain to that account if it exists).
 */
const USER = 'idle-latency@example.org';
const KINDS = ['APPEND', 'STORE', 'EXPUNGE', 'MOVE', 'LMTP'] as const;
type Kind = (typeof KINDS)[number];

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

function message(i: number): Buffer {
  return Buffer.from(
    `From: bench@example.org\r\nTo: ${USER}\r\nSubject: idle latency ${i}\r\n` +
      `Message-ID: <idle-${i}-${Date.now()}@example.org>\r\n\r\nround ${i}\r\n`,
    'latin1',
  );
}

/** A minimal LMTP client (RFC 2033) that keeps one connection for every delivery. */
class LmtpClient {
  private buf = '';
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
      }
      const w = this.waiter;
      this.waiter = null;
      w?.();
    });
  }

  static async connect(port: number): Promise<LmtpClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const c = new LmtpClient(socket);
    await c.reply();
    await c.send('LHLO bench.example.org');
    return c;
  }

  /** The next complete reply (last line has a space after the code). */
  private async reply(): Promise<string> {
    for (;;) {
      const i = this.lines.findIndex((l) => /^\d{3} /.test(l));
      if (i >= 0) return this.lines.splice(0, i + 1)[i];
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  private async send(line: string): Promise<string> {
    this.socket.write(line + '\r\n');
    const r = await this.reply();
    if (!/^[23]/.test(r)) throw new Error(`LMTP ${line.split(' ')[0]}: ${r}`);
    return r;
  }

  /** Deliver one message to one recipient; resolves at the recipient's reply. */
  async deliver(to: string, data: Buffer): Promise<void> {
    await this.send('MAIL FROM:<bench@example.org>');
    await this.send(`RCPT TO:<${to}>`);
    await this.send('DATA');
    const body = data.toString('latin1').replace(/^\./gm, '..');
    await this.send(`${body}${body.endsWith('\r\n') ? '' : '\r\n'}.`);
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

/** Resolves with the time of the first unsolicited response matching `re` (set before acting). */
class Watch {
  private pending: { re: RegExp; resolve: (t: number) => void } | null = null;

  constructor(idler: ImapClient) {
    idler.onUnsolicited = (r: ImapResponse) => {
      const p = this.pending;
      if (p && p.re.test(r.line)) {
        this.pending = null;
        p.resolve(now());
      }
    };
  }

  next(re: RegExp): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${NOTIFY_TIMEOUT_MS} ms`)), NOTIFY_TIMEOUT_MS);
      this.pending = {
        re,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
    });
  }
}

/** Figures of one target. */
interface LatencyResult {
  fromSend: Record<Kind, Latencies | null>;
  afterAck: Record<Kind, Latencies | null>;
  idlers: number;
  bytesPerIdleRss: number;
  bytesPerIdlePss: number;
}

async function measure(target: Target, rounds: number, idlers: number): Promise<LatencyResult> {
  const actor = await ImapClient.connect(target.imapPort);
  await actor.login(USER, BENCH_PASSWORD);
  await actor.command('CREATE Archive', { expectOk: false });
  await actor.command('SELECT INBOX');
  const idler = await ImapClient.connect(target.imapPort);
  await idler.login(USER, BENCH_PASSWORD);
  await idler.command('SELECT INBOX');
  const watch = new Watch(idler);
  await idler.idle();
  const lmtp = await LmtpClient.connect(target.lmtpPort);
  const hasMove = actor.has('MOVE');
  const fromSend = Object.fromEntries(KINDS.map((k) => [k, k === 'MOVE' && !hasMove ? null : new Latencies()])) as Record<Kind, Latencies | null>;
  const afterAck = Object.fromEntries(KINDS.map((k) => [k, k === 'MOVE' && !hasMove ? null : new Latencies()])) as Record<Kind, Latencies | null>;
  const record = (kind: Kind, t0: number, ack: number, seen: number): void => {
    fromSend[kind]?.add(seen - t0);
    afterAck[kind]?.add(seen - ack);
  };

  for (let i = 0; i < rounds; i++) {
    // APPEND: EXISTS.
    let seen = watch.next(/^\* \d+ EXISTS/i);
    let t0 = now();
    await actor.command(['APPEND INBOX ', message(i)]);
    record('APPEND', t0, now(), await seen);
    await actor.command('NOOP');

    // STORE: FETCH (FLAGS ...) of the last message.
    seen = watch.next(/^\* \d+ FETCH/i);
    t0 = now();
    await actor.command('STORE * +FLAGS.SILENT (\\Flagged)');
    record('STORE', t0, now(), await seen);

    // EXPUNGE of the last message (its \Deleted FETCH is awaited first, outside the timing).
    seen = watch.next(/^\* \d+ FETCH/i);
    await actor.command('STORE * +FLAGS.SILENT (\\Deleted)');
    await seen;
    seen = watch.next(/^\* \d+ EXPUNGE/i);
    t0 = now();
    await actor.command('EXPUNGE');
    record('EXPUNGE', t0, now(), await seen);

    // LMTP delivery: EXISTS.
    seen = watch.next(/^\* \d+ EXISTS/i);
    t0 = now();
    await lmtp.deliver(USER, message(i));
    record('LMTP', t0, now(), await seen);
    await actor.command('NOOP');

    // MOVE of the delivered message: EXPUNGE.
    if (hasMove) {
      seen = watch.next(/^\* \d+ EXPUNGE/i);
      t0 = now();
      await actor.command('MOVE * Archive');
      record('MOVE', t0, now(), await seen);
    }
  }
  lmtp.close();
  await idler.done();

  // Memory: the tree's growth for `idlers` more sessions, each logged in with INBOX selected and idling.
  await idler.idle();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const before = treeMemory(target.pid);
  const extra: ImapClient[] = [];
  for (let i = 0; i < idlers; i += SETUP_CONCURRENCY) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(SETUP_CONCURRENCY, idlers - i) }, async () => {
        const c = await ImapClient.connect(target.imapPort);
        await c.login(USER, BENCH_PASSWORD);
        await c.command('SELECT INBOX');
        c.onUnsolicited = (r) => void existsCount(r);
        await c.idle();
        return c;
      }),
    );
    extra.push(...batch);
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const after = treeMemory(target.pid);
  for (const c of extra) c.close();
  idler.close();
  await actor.logout();
  return {
    fromSend,
    afterAck,
    idlers,
    bytesPerIdleRss: ((after.rssKiB - before.rssKiB) * 1024) / Math.max(1, idlers),
    bytesPerIdlePss: ((after.pssKiB - before.pssKiB) * 1024) / Math.max(1, idlers),
  };
}

const flags = parseFlags();
const rounds = intFlag(flags, 'rounds', 30, 1, 10_000);
const idlers = intFlag(flags, 'idlers', 200, 0, 5_000);
const targets = parseTargets(flags.get('targets') ?? 'mailroom-memory,mailroom-sqlite,dovecot');
const outcomes = await forEachTarget(targets, (t) => measure(t, rounds, idlers));

console.log(`\nIDLE notification latency, ms (${rounds} rounds; p50 / p95 / max)`);
const rows: string[][] = [];
for (const o of outcomes) {
  if (!o.ok) {
    rows.push([o.target, 'FAILED: ' + o.error]);
    continue;
  }
  for (const kind of KINDS) {
    const a = o.result.fromSend[kind];
    const b = o.result.afterAck[kind];
    if (!a || !b) {
      rows.push([o.target, kind, 'not supported', '', '']);
      continue;
    }
    const q = (l: Latencies): string => `${fmt(l.quantile(0.5))} / ${fmt(l.quantile(0.95))} / ${fmt(l.quantile(1))}`;
    rows.push([o.target, kind, q(a), q(b), String(a.count)]);
  }
}
printTable(['target', 'change', 'from send', 'after ack', 'n'], rows);

console.log(`\nMemory per idle connection (logged in, INBOX selected, IDLE; ${idlers} connections)`);
printTable(
  ['target', 'RSS bytes/conn', 'PSS bytes/conn'],
  outcomes.map((o) => (o.ok ? [o.target, fmt(o.result.bytesPerIdleRss), fmt(o.result.bytesPerIdlePss)] : [o.target, '-', '-'])),
);
const serializable = outcomes.map((o) =>
  o.ok
    ? {
        target: o.target,
        idlers: o.result.idlers,
        bytesPerIdleRss: o.result.bytesPerIdleRss,
        bytesPerIdlePss: o.result.bytesPerIdlePss,
        latency: Object.fromEntries(
          KINDS.map((k) => {
            const a = o.result.fromSend[k];
            const b = o.result.afterAck[k];
            return [k, a && b ? { p50: a.quantile(0.5), p95: a.quantile(0.95), max: a.quantile(1), afterAckP50: b.quantile(0.5), afterAckMax: b.quantile(1) } : null];
          }),
        ),
      }
    : o,
);
console.log(`\nresults: ${writeResults('idle-latency', serializable)}`);
