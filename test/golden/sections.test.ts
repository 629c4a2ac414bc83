/** Section fetches (BODY[...], BINARY[...], BINARY.SIZE) equal Dovecot 2.3's answers on every fixture. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSections } from './sections.ts';

const FIXTURES = 'test/fixtures/messages';
const GOLDEN = 'test/golden/sections';

describe('Dovecot section goldens', () => {
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.eml')).sort()) {
    test(f, () => {
      const base = join(GOLDEN, f.replace(/\.eml$/, ''));
      const expectedFile = existsSync(`${base}.mailroom.txt`) ? `${base}.mailroom.txt` : `${base}.txt`;
      assert.ok(existsSync(expectedFile), `no section golden for ${f}`);
      if (expectedFile.endsWith('.mailroom.txt')) assert.ok(existsSync(`${base}.why.md`), 'a deviation needs its reason');
      const ours = renderSections(readFileSync(join(FIXTURES, f))).split('\n');
      const theirs = readFileSync(expectedFile, 'latin1').split('\n');
      const diffs = ours.map((l, i) => (l === theirs[i] ? null : `ours:    ${l}\ndovecot: ${theirs[i]}`)).filter((x) => x !== null);
      assert.deepEqual(diffs, []);
      assert.equal(ours.length, theirs.length);
    });
  }
});
