/**
 * SEARCH results over the fixture corpus equal Dovecot 2.3's (test/golden/search.txt, written by
 * scripts/dovecot-golden.ts). Deliberate differences are listed in search.mailroom.txt with the reasons in
 * search.why.md.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSearch } from '../../src/search/index.ts';
import type { SearchCandidate } from '../../src/search/index.ts';
import { parseMessage } from '../../src/message/index.ts';
import { GOLDEN_QUERIES } from './search-queries.ts';

const FIXTURES = 'test/fixtures/messages';

/** Our answers in the golden format. */
export function renderSearches(): string {
  const candidates: SearchCandidate[] = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort().map((f, i) => {
    const raw = readFileSync(join(FIXTURES, f));
    return {
      uid: i + 1, flags: [], internalDate: new Date('2026-01-01T00:00:00Z'), saveDate: new Date('2026-01-01T00:00:00Z'),
      size: raw.length, modseq: 1, emailId: `E${i}`, threadId: `T${i}`, meta: parseMessage(raw), body: raw,
    };
  });
  return GOLDEN_QUERIES.map((gq) => {
    const compiled = compileSearch(gq.key);
    const uids = candidates.filter((c) => compiled.match(c)).map((c) => ` ${c.uid}`).join('');
    return `${gq.imap}${gq.literal === undefined ? '' : ` ${gq.literal}`} =>${uids}\n`;
  }).join('');
}

describe('Dovecot SEARCH goldens', () => {
  test('every query gives the same UIDs', () => {
    const file = existsSync('test/golden/search.mailroom.txt') ? 'test/golden/search.mailroom.txt' : 'test/golden/search.txt';
    const expected = readFileSync(file, 'utf8').split('\n');
    const ours = renderSearches().split('\n');
    assert.deepEqual(ours.filter((l, i) => l !== expected[i]), []);
  });
});
