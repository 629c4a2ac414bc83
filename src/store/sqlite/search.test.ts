/**
 * The SQL prefilter never changes a SEARCH result: for random queries over random messages, the store's
 * search (SQL prefilter, then the evaluator) equals the evaluator run alone on every message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { hashPassword } from '../../auth/password.ts';
import { compileSearch } from '../../search/index.ts';
import type { SearchKey } from '../../search/types.ts';
import { createSqliteBackend } from './index.ts';
import { prefilter } from '../shared/sql-prefilter.ts';

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 10);
const FLAGS = ['\\Seen', '\\Deleted', '\\Flagged', 'work'];

function day(offset: number): string {
  return new Date(BASE + offset * DAY).toISOString().slice(0, 10);
}

const leaf: fc.Arbitrary<SearchKey> = fc.oneof(
  fc.constant<SearchKey>({ type: 'all' }),
  fc.constantFrom(...FLAGS).map((flag): SearchKey => ({ type: 'flag', flag })),
  fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 10 }), fc.boolean()).map(
    ([start, len, open]): SearchKey => ({ type: 'uid', ranges: [{ start, end: open ? Infinity : start + len }] }),
  ),
  fc.tuple(fc.constantFrom('larger' as const, 'smaller' as const), fc.integer({ min: 50, max: 400 })).map(
    ([op, size]): SearchKey => ({ type: 'size', op, size }),
  ),
  fc.tuple(fc.constantFrom('before' as const, 'on' as const, 'since' as const), fc.integer({ min: -3, max: 8 })).map(
    ([op, d]): SearchKey => ({ type: 'internalDate', op, date: day(d) }),
  ),
  fc.integer({ min: 1, max: 8 }).map((min): SearchKey => ({ type: 'modseq', min })),
  fc.tuple(fc.constantFrom('older' as const, 'younger' as const), fc.integer({ min: 0, max: 10 })).map(
    ([op, days]): SearchKey => ({ type: 'within', op, seconds: days * 86_400 }),
  ),
);

const query: fc.Arbitrary<SearchKey> = fc.letrec<{ key: SearchKey }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('key').map((key): SearchKey => ({ type: 'not', key })),
    fc.array(tie('key'), { minLength: 1, maxLength: 3 }).map((keys): SearchKey => ({ type: 'and', keys })),
    fc.tuple(tie('key'), tie('key')).map(([left, right]): SearchKey => ({ type: 'or', left, right })),
  ),
})).key;

void test('SQL-prefiltered search equals evaluating every message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-search-'));
  const backend = createSqliteBackend({ path: dir });
  try {
    await backend.createAccount('u', await hashPassword('p', { ln: 4, r: 8, p: 1 }));
    const user = await backend.login('u', 'p', { protocol: 'cli', secure: true });
    // 30 messages with varied flags, sizes and internal dates (some near midnight, to test the day margins).
    const inputs = Array.from({ length: 30 }, (_, i) => ({
      content: Buffer.from(`Subject: m${i}\r\n\r\n${'x'.repeat((i * 37) % 350)}\r\n`),
      flags: FLAGS.filter((_, f) => (i >> f) & 1),
      internalDate: new Date(BASE + ((i % 7) - 2) * DAY + (i % 2 === 0 ? 60_000 : DAY - 60_000)),
    }));
    await user.append('INBOX', inputs.slice(0, 15));
    await user.append('INBOX', inputs.slice(15));
    const box = await user.openMailbox('INBOX', { readOnly: false, onChange: () => {} });
    await box.storeFlags([3, 4, 5, 20], { op: 'add', flags: ['\\Seen'] });
    await box.storeFlags([6, 25], { op: 'remove', flags: ['\\Deleted'] });
    const all = await box.fetch(box.snapshot.uids);

    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const now = new Date();
        const compiled = compileSearch(q, { now });
        const expected = all.filter((r) => compiled.match({ ...r, meta: undefined, body: undefined })).map((r) => r.uid);
        assert.deepEqual(await box.search(q), expected, JSON.stringify(q) + ' ' + JSON.stringify(prefilter(q)));
      }),
      { numRuns: 300 },
    );
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
