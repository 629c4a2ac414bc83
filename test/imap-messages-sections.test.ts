/**
 * FETCH of BODY[section], BINARY[part] and BINARY.SIZE[part] through the real FETCH executor (memory
 * store, message metadata parsed at append) equals Dovecot 2.3's answers on every fixture message. The
 * expectations are the section goldens (test/golden/sections/*.txt, items listed by
 * test/golden/sections.ts), recorded from Dovecot by scripts/dovecot-golden.ts.
 *
 * Where a fixture has a documented deviation (NAME.mailroom.txt + NAME.why.md), an answer may equal
 * either Dovecot's or the documented one. One deviation disappears at the IMAP layer and is checked
 * strictly: 061's NUL octets, which FETCH sends as 0x80 exactly like Dovecot (RFC 3501 section 9, CHAR8).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseMessage } from '../src/message/index.ts';
import { createMemoryBackend } from '../src/store/memory/index.ts';
import type { Mailbox } from '../src/store/types.ts';
import type { ResponseWriter, SelectedView } from '../src/imap/commands/types.ts';
import { executeFetch } from '../src/imap/fetch/execute.ts';
import { UnknownCteError } from '../src/imap/fetch/literal-data.ts';
import { buildFetchPlan, fetchAttList } from '../src/imap/fetch/plan.ts';
import { ImapDecoder } from '../src/imap/wire/decoder.ts';
import { selectFromSorted } from '../src/imap/wire/sequence-set.ts';
import { sectionItems } from './golden/sections.ts';

const FIXTURES = 'test/fixtures/messages';
const GOLDEN = 'test/golden/sections';

/** Collects the bytes FETCH writes. */
class Collector implements ResponseWriter {
  chunks: Buffer[] = [];
  untagged(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  status(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  raw(bytes: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(bytes));
    return Promise.resolve();
  }
  async stream(source: Readable): Promise<void> {
    for await (const chunk of source) this.chunks.push(Buffer.from(chunk as Buffer));
  }
}

function viewOf(mailbox: Mailbox): SelectedView {
  const uids = [...mailbox.snapshot.uids];
  return {
    mailbox,
    readOnly: true,
    exists: uids.length,
    uidAt: (seq) => uids[seq - 1],
    seqOf: (uid) => uids.indexOf(uid) + 1,
    resolve: (set) => selectFromSorted(set, uids),
    isRecent: () => false,
    savedSearch: [],
  };
}

function digest(bytes: Buffer): string {
  return `${bytes.length} ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

/** The golden-format answer for one item: the literal's digest, the BINARY.SIZE number, or NO UNKNOWN-CTE. */
async function fetchAnswer(view: SelectedView, uid: number, item: string, size: boolean): Promise<string> {
  const plan = buildFetchPlan(fetchAttList(new ImapDecoder(Buffer.from(item))), { uid: false });
  const out = new Collector();
  try {
    await executeFetch(view, out, plan, [uid], { utf8: false });
  } catch (err) {
    if (err instanceof UnknownCteError) return 'NO UNKNOWN-CTE';
    throw err;
  }
  const text = Buffer.concat(out.chunks);
  const head = text.toString('latin1', 0, Math.min(text.length, 400));
  if (size) {
    const m = /^\* 1 FETCH \(BINARY\.SIZE\[[0-9.]*\] (\d+)\)\r\n$/.exec(text.toString('latin1'));
    assert.ok(m, `unexpected response ${head}`);
    return m[1];
  }
  const m = /^\* 1 FETCH \((?:BODY|BINARY)\[[^\]]*\] ~?\{(\d+)\}\r\n/.exec(head);
  assert.ok(m, `unexpected response ${head}`);
  const start = m[0].length;
  const length = Number(m[1]);
  assert.equal(text.toString('latin1', start + length), ')\r\n');
  return digest(text.subarray(start, start + length));
}

void describe('FETCH sections match Dovecot (test/golden/sections)', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort()) {
    void test(file, async () => {
      const raw = readFileSync(join(FIXTURES, file));
      const base = join(GOLDEN, file.replace(/\.eml$/, ''));
      const dovecot = readFileSync(`${base}.txt`, 'latin1').split('\n');
      const documented = existsSync(`${base}.mailroom.txt`) ? readFileSync(`${base}.mailroom.txt`, 'latin1').split('\n') : dovecot;
      const strict = file === '061-binary-nul-body.eml';
      const backend = createMemoryBackend({ users: { u: 'p' } });
      const user = await backend.login('u', 'p', { protocol: 'imap', secure: true });
      const { uids } = await user.append('INBOX', [{ content: raw }]);
      const mailbox = await user.openMailbox('INBOX', { readOnly: true, onChange: () => {} });
      try {
        const view = viewOf(mailbox);
        const items = sectionItems(parseMessage(raw));
        const diffs: string[] = [];
        for (let i = 0; i < items.length; i++) {
          const it = items[i];
          const line = `${it.item} ${await fetchAnswer(view, uids[0], it.item, it.size === true)}`;
          const ok = strict ? line === dovecot[i] : line === dovecot[i] || line === documented[i];
          if (!ok) diffs.push(`fetch:   ${line}\ndovecot: ${dovecot[i]}\ndocumented: ${documented[i]}`);
        }
        assert.deepEqual(diffs, []);
        assert.equal(dovecot.length, items.length + 1, 'the golden lists the same items');
      } finally {
        await mailbox.close();
        await user.close();
      }
    });
  }
});
