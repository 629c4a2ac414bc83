/**
 * Regenerates test/golden/<fixture>.txt from a private Dovecot 2.3 instance (issue 2): for every
 * test/fixtures/messages/*.eml it APPENDs the message, FETCHes ENVELOPE, BODY and BODYSTRUCTURE, and
 * writes the raw response values byte for byte. Needs Debian's dovecot-imapd; the tests do not.
 *
 *   node --import tsx scripts/dovecot-golden.ts [--keep]      (run from the repository root)
 *
 * The instance lives under a temporary directory with its own config, base dir and Maildir, listens on
 * 127.0.0.1 on a free port, and is stopped (by its pid) when the script ends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, readFileSync, chownSync, chmodSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../bench/lib/net.ts';
import { parseMessage } from '../src/message/index.ts';
import { dovecotAnswer, sectionItems } from '../test/golden/sections.ts';
import { GOLDEN_QUERIES } from '../test/golden/search-queries.ts';

const FIXTURES = 'test/fixtures/messages';
const GOLDEN = 'test/golden';
const ITEMS = ['ENVELOPE', 'BODY', 'BODYSTRUCTURE'] as const;

function config(dir: string, port: number): string {
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:${dir}/home/%u/Maildir
first_valid_uid = 1
passdb {
  driver = static
  args = password=golden
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
}

/** A tiny IMAP client that keeps the raw response bytes. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private tagNo = 0;
  /** Accept NO/BAD answers (section fetches may legitimately fail). */
  tolerant = false;
  lastStatus = '';
  constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private async waitFor(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise<void>((r) => this.waiters.push(r));
  }

  async greeting(): Promise<void> {
    await this.waitFor(() => this.buf.includes('\r\n'));
    this.buf = this.buf.subarray(this.buf.indexOf('\r\n') + 2);
  }

  /** Send a command (with an optional LITERAL+ literal) and return everything up to its tagged reply. */
  async command(text: string, lit?: Buffer): Promise<Buffer> {
    const tag = `g${++this.tagNo}`;
    if (lit !== undefined) this.sock.write(Buffer.concat([Buffer.from(`${tag} ${text} {${lit.length}+}\r\n`), lit, Buffer.from('\r\n')]));
    else this.sock.write(`${tag} ${text}\r\n`);
    const marker = Buffer.from(`\r\n${tag} `);
    await this.waitFor(() => {
      const i = this.buf.indexOf(marker);
      return (i >= 0 && this.buf.indexOf('\r\n', i + 2) >= 0) || this.buf.subarray(0, tag.length + 1).equals(Buffer.from(`${tag} `));
    });
    const start = this.buf.subarray(0, tag.length + 1).equals(Buffer.from(`${tag} `)) ? -2 : this.buf.indexOf(marker);
    const end = this.buf.indexOf('\r\n', start + 2) + 2;
    const out = this.buf.subarray(0, end);
    this.buf = this.buf.subarray(end);
    const status = out.subarray(start + 2).toString('latin1');
    if (!status.startsWith(`${tag} OK`) && !this.tolerant) throw new Error(`${text}: ${status}`);
    this.lastStatus = status.slice(tag.length + 1).trim();
    return out;
  }
}

/** Extract the value following `name ` at the top level of a FETCH response (lists, strings, literals). */
export function extractItem(resp: Buffer, name: string): Buffer {
  const key = Buffer.from(` ${name} `);
  let i = resp.indexOf(key);
  if (i < 0) {
    key[0] = 0x28; // "(NAME "
    i = resp.indexOf(key);
  }
  if (i < 0) throw new Error(`no ${name} in response`);
  const start = i + key.length;
  let p = start;
  let depth = 0;
  do {
    const c = resp[p];
    if (c === 0x28) { depth++; p++; }
    else if (c === 0x29) { depth--; p++; }
    else if (c === 0x22) {
      p++;
      while (resp[p] !== 0x22) p += resp[p] === 0x5c ? 2 : 1;
      p++;
    } else if (c === 0x7b) {
      const close = resp.indexOf('}', p);
      const n = Number(resp.toString('latin1', p + 1, close));
      p = close + 3 + n;
    } else if (c === 0x20) { p++; }
    else { while (p < resp.length && ![0x20, 0x28, 0x29, 0x0d].includes(resp[p])) p++; }
  } while (depth > 0 && p < resp.length);
  return resp.subarray(start, p);
}

/**
 * The value of a BODY[...]/BINARY[...]/BINARY.SIZE[...] item: Dovecot echoes the section name (field names
 * upper-cased), so find the first `name-prefix` then the value after the closing `]`.
 */
function extractSection(resp: Buffer, name: string): Buffer | null {
  const prefix = name.slice(0, name.indexOf('[') + 1);
  const i = resp.indexOf(prefix);
  if (i < 0) return null;
  const close = resp.indexOf('] ', i);
  let p = close + 2;
  if (resp[p] === 0x7e) p++; // literal8
  if (resp[p] === 0x7b) {
    const end = resp.indexOf('}', p);
    const n = Number(resp.toString('latin1', p + 1, end));
    return resp.subarray(end + 3, end + 3 + n);
  }
  if (resp[p] === 0x22) {
    let q = p + 1;
    let out = '';
    while (resp[q] !== 0x22) {
      if (resp[q] === 0x5c) q++;
      out += String.fromCharCode(resp[q]);
      q++;
    }
    return Buffer.from(out, 'latin1');
  }
  let q = p;
  while (q < resp.length && resp[q] !== 0x20 && resp[q] !== 0x29) q++;
  const word = resp.toString('latin1', p, q);
  return word === 'NIL' ? null : Buffer.from(word, 'latin1');
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-dovecot-'));
  for (const d of ['run', 'state', 'home']) mkdirSync(join(dir, d), { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, port));
  try {
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'home'), 65534, 65534);
  } catch { /* not root: dovecot runs as us */ }
  const master = spawn('dovecot', ['-F', '-c', conf], { stdio: 'inherit' });
  try {
    await waitForPort(port, () => master.exitCode === null).catch((err: unknown) => {
      throw new Error(`dovecot did not start (${(err as Error).message}); see ${join(dir, 'dovecot.log')}`);
    });
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const c = new RawClient(sock);
    await c.greeting();
    await c.command('LOGIN golden golden');
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();
    mkdirSync(GOLDEN, { recursive: true });
    let uid = 0;
    for (const f of files) {
      const raw = readFileSync(join(FIXTURES, f));
      await c.command('APPEND INBOX', raw);
      uid++;
      await c.command('SELECT INBOX');
      const resp = await c.command(`UID FETCH ${uid} (${ITEMS.join(' ')})`);
      const out = ITEMS.map((item) => Buffer.concat([Buffer.from(`${item} `), extractItem(resp, item), Buffer.from('\n')]));
      writeFileSync(join(GOLDEN, f.replace(/\.eml$/, '.txt')), Buffer.concat(out));
      // Sections: one FETCH per item, so that a NO (UNKNOWN-CTE) affects only that item.
      const lines: string[] = [];
      c.tolerant = true;
      for (const it of sectionItems(parseMessage(raw))) {
        const r = await c.command(`UID FETCH ${uid} (${it.item})`);
        const name = it.item.replace('.PEEK', '');
        let value: Buffer | null = null;
        if (c.lastStatus.startsWith('OK') && r.includes(Buffer.from(' FETCH ('))) {
          const v = extractSection(r, name);
          value = v;
        }
        lines.push(`${it.item} ${dovecotAnswer(it, c.lastStatus, value)}\n`);
      }
      c.tolerant = false;
      mkdirSync(join(GOLDEN, 'sections'), { recursive: true });
      writeFileSync(join(GOLDEN, 'sections', f.replace(/\.eml$/, '.txt')), lines.join(''));
    }
    // SEARCH over the whole corpus (UID n is fixture n in sorted order).
    const searchLines: string[] = [];
    for (const gq of GOLDEN_QUERIES) {
      const lit = gq.literal === undefined ? undefined : Buffer.from(gq.literal, 'utf8');
      const r = (await c.command(`UID SEARCH ${gq.imap}`, lit)).toString('latin1');
      const m = /\* SEARCH([ 0-9]*)\r\n/.exec(r);
      searchLines.push(`${gq.imap}${gq.literal === undefined ? '' : ` ${gq.literal}`} =>${m === null ? '' : m[1]}\n`);
    }
    writeFileSync(join(GOLDEN, 'search.txt'), searchLines.join(''));
    console.log(`wrote ${files.length} golden files and ${GOLDEN_QUERIES.length} searches (Dovecot on 127.0.0.1:${port})`);
    sock.end();
  } finally {
    master.kill('SIGTERM');
    await new Promise((r) => master.once('exit', r));
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
