/**
 * Message bytes: blobs in the database versus files beside it. Prints the figures docs/storage.md quotes.
 *
 *   node --expose-gc --import tsx bench/storage.ts [--quick]
 *
 * Both strategies are durable the way the store must be (DESIGN.md section 3: a resolved append survives a
 * crash) and keep the same metadata row in SQLite (WAL, synchronous = FULL):
 * - blob:  the bytes in 256 KiB chunk rows (what src/store/sqlite does), one transaction per message;
 * - file:  a content-addressed file written to a temporary name, fsync'd, renamed, directory fsync'd, then
 *          the row committed (the order that never leaves a row without its file).
 * Measured: durable append throughput (small and large messages), full-body FETCH throughput, and the
 * extra memory a reader needs to stream a 50 MB message to a slow consumer. The last section runs the real
 * store (createSqliteBackend) end to end for reference.
 */
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync, createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database as Db } from 'better-sqlite3';
import { openDatabase } from '../src/store/sqlite/schema.ts';
import { ContentStore } from '../src/store/sqlite/contents.ts';
import { createSqliteBackend } from '../src/store/sqlite/index.ts';
import { hashPassword } from '../src/auth/password.ts';

const quick = process.argv.includes('--quick');
if (!(globalThis as { gc?: unknown }).gc) console.log('(run with node --expose-gc for exact streaming memory figures)');

interface Strategy {
  readonly name: string;
  append(bytes: Buffer): number;
  read(id: number): Buffer;
  stream(id: number): Readable;
  close(): void;
}

function blobStrategy(dir: string): Strategy {
  const db = openDatabase(join(dir, 'blob.sqlite'));
  const contents = new ContentStore(db);
  const insert = db.prepare('INSERT INTO contents (size, email_id, thread_id, meta) VALUES (?, ?, ?, ?)');
  const sizeOf = db.prepare<[number], { size: number }>('SELECT size FROM contents WHERE id = ?');
  const empty = Buffer.alloc(0);
  const append = db.transaction((bytes: Buffer) => {
    const id = Number(insert.run(bytes.length, 'M', 'T', empty).lastInsertRowid);
    contents.write(id, bytes);
    return id;
  });
  return {
    name: 'blob (256 KiB chunks in SQLite)',
    append: (bytes) => append.immediate(bytes),
    read: (id) => {
      const size = sizeOf.get(id)!.size;
      return contents.read(id, size, 0, size);
    },
    stream: (id) => contents.body(id, sizeOf.get(id)!.size).stream(),
    close: () => db.close(),
  };
}

function fileStrategy(dir: string): Strategy {
  const db: Db = openDatabase(join(dir, 'file.sqlite'));
  db.exec('CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY, size INTEGER NOT NULL, path TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO files (size, path) VALUES (?, ?)');
  const pathOf = db.prepare<[number], { path: string }>('SELECT path FROM files WHERE id = ?');
  const root = join(dir, 'objects');
  mkdirSync(root, { recursive: true });
  const madeDirs = new Set<string>();
  let tmpCounter = 0;
  const fsyncDir = (d: string): void => {
    const fd = openSync(d, 'r');
    fsyncSync(fd);
    closeSync(fd);
  };
  return {
    name: 'file (content-addressed, fsync)',
    append: (bytes) => {
      const hash = createHash('sha256').update(bytes).digest('hex');
      const sub = join(root, hash.slice(0, 2));
      if (!madeDirs.has(sub)) {
        mkdirSync(sub, { recursive: true });
        fsyncDir(root);
        madeDirs.add(sub);
      }
      const final = join(sub, hash);
      const tmp = join(root, `tmp-${process.pid}-${tmpCounter++}`);
      const fd = openSync(tmp, 'w');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, final);
      fsyncDir(sub);
      return Number(db.transaction(() => insert.run(bytes.length, final).lastInsertRowid).immediate());
    },
    read: (id) => readFileSync(pathOf.get(id)!.path),
    stream: (id) => createReadStream(pathOf.get(id)!.path, { highWaterMark: 256 * 1024 }),
    close: () => db.close(),
  };
}

function sample(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeInt32LE(x | 0, Math.min(i, size - 4));
  }
  return b;
}

/**
 * Live memory a reader holds while streaming into a consumer that takes 1 ms per piece: sampled after a
 * forced GC (run with --expose-gc) every 16 pieces, so garbage awaiting collection is not counted, only
 * what the reader keeps. Without --expose-gc the figure includes uncollected garbage (an upper bound).
 */
function liveBytes(): number {
  // Twice: Buffers' external memory is released by a second-pass callback of the first collection.
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  // arrayBuffers is part of external; heap + external is what a reader makes the process keep.
  return m.heapUsed + m.external;
}

async function streamPeak(open: () => Readable): Promise<number> {
  const base = liveBytes();
  let peak = -Infinity;
  let pieces = 0;
  const slow = new Writable({
    highWaterMark: 64 * 1024,
    write(_chunk, _enc, cb) {
      if (pieces++ % 16 === 0) peak = Math.max(peak, liveBytes() - base);
      setTimeout(cb, 1);
    },
  });
  await pipeline(open(), slow);
  return peak;
}

/** The same measure for reading the whole body into one Buffer: what streaming avoids. */
function wholePeak(read: () => Buffer): number {
  const base = liveBytes();
  const whole = read();
  const peak = liveBytes() - base;
  if (whole.length === 0) throw new Error('empty read');
  return peak;
}

/** Median and range of repeated figures. */
function summary(values: readonly number[], digits: number): string {
  const v = [...values].sort((a, b) => a - b);
  const med = v[Math.floor(v.length / 2)];
  return `${med.toFixed(digits).padStart(8)}  (${v[0].toFixed(digits)}..${v[v.length - 1].toFixed(digits)})`;
}

/** One run of every measurement for one strategy; figures keyed by label. */
async function runStrategy(make: (dir: string) => Strategy, dir: string, n: { small: number; large: number }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const s = make(mkdtempSync(join(dir, 's-')));
  try {
    const ids: number[] = [];
    let t = performance.now();
    for (let i = 0; i < n.small; i++) ids.push(s.append(sample(SMALL, i + 1)));
    out.set(`append 16 KiB, msg/s`, (n.small * 1000) / (performance.now() - t));
    const bigIds: number[] = [];
    t = performance.now();
    for (let i = 0; i < n.large; i++) bigIds.push(s.append(sample(LARGE, 10_000 + i)));
    out.set(`append 1 MiB, MiB/s`, (n.large * 1000) / (performance.now() - t));
    t = performance.now();
    const hugeId = s.append(sample(HUGE, 99));
    out.set(`append 50 MiB, ms`, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < ids.length; i++) s.read(ids[(i * 7919) % ids.length]);
    out.set(`read 16 KiB, msg/s`, (n.small * 1000) / (performance.now() - t));
    t = performance.now();
    for (const id of bigIds) s.read(id);
    out.set(`read 1 MiB, MiB/s`, (n.large * 1000) / (performance.now() - t));
    t = performance.now();
    await pipeline(s.stream(hugeId), new Writable({ write: (_c, _e, cb) => cb() }));
    out.set(`stream 50 MiB, MiB/s`, (50 * 1000) / (performance.now() - t));
    out.set(`stream 50 MiB to a slow reader, live KiB`, (await streamPeak(() => s.stream(hugeId))) / 1024);
    out.set(`read 50 MiB whole (no streaming), live KiB`, wholePeak(() => s.read(hugeId)) / 1024);
  } finally {
    s.close();
  }
  return out;
}

const SMALL = 16 * 1024;
const LARGE = 1024 * 1024;
const HUGE = 50 * 1024 * 1024;

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : quick ? 1 : 3;
  const n = { small: quick ? 200 : 1000, large: quick ? 10 : 40 };
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-bench-storage-'));
  console.log(
    `storage benchmark: ${runs} run(s), median (min..max); node ${process.version}; ` +
      `durable: WAL + synchronous=FULL; files: fsync + rename + dir fsync; ${n.small} x 16 KiB, ${n.large} x 1 MiB, 1 x 50 MiB`,
  );
  try {
    for (const make of [blobStrategy, fileStrategy]) {
      const figures = new Map<string, number[]>();
      let name = '';
      for (let r = 0; r < runs; r++) {
        name = make === blobStrategy ? 'blob (256 KiB chunks in SQLite)' : 'file (content-addressed, fsync)';
        for (const [k, v] of await runStrategy(make, dir, n)) figures.set(k, [...(figures.get(k) ?? []), v]);
      }
      console.log(`\n== ${name}`);
      for (const [k, v] of figures) console.log(`${k.padEnd(46)} ${summary(v, 0)}`);
    }

    // The real store, end to end (parse once + metadata + counters + change log + chunks).
    const backend = createSqliteBackend({ path: join(dir, 'real') });
    await backend.createAccount('bench', await hashPassword('pw', { ln: 4, r: 8, p: 1 }));
    const user = await backend.login('bench', 'pw', { protocol: 'cli', secure: true });
    const text = 'From: a@example.org\r\nTo: b@example.org\r\nSubject: bench\r\nContent-Type: text/plain\r\n\r\n';
    const msg = Buffer.from((text + 'Lorem ipsum dolor sit amet.\r\n'.repeat(600)).slice(0, SMALL));
    let t = performance.now();
    for (let i = 0; i < n.small; i++) await user.append('INBOX', [{ content: msg }]);
    console.log(`\n== createSqliteBackend end to end`);
    console.log(`${'append 16 KiB (parse + metadata + chunks), msg/s'.padEnd(46)} ${((n.small * 1000) / (performance.now() - t)).toFixed(0).padStart(8)}`);
    const box = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
    t = performance.now();
    const records = await box.fetch(box.snapshot.uids.slice(0, 1000));
    console.log(`${`fetch flags/uid/size of ${records.length} messages, ms`.padEnd(46)} ${(performance.now() - t).toFixed(1).padStart(8)}`);
    t = performance.now();
    await user.status('INBOX');
    console.log(`${'status, ms'.padEnd(46)} ${(performance.now() - t).toFixed(2).padStart(8)}`);
    await backend.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
