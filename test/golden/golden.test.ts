/**
 * ENVELOPE, BODY and BODYSTRUCTURE of every fixture must equal Dovecot 2.3's answer byte for byte. The
 * goldens were produced by scripts/dovecot-golden.ts; Dovecot is not needed to run this test. Where we
 * deliberately differ, `<name>.mailroom.txt` holds our answer and `<name>.why.md` the RFC reason.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderGolden } from './render.ts';

const FIXTURES = 'test/fixtures/messages';
const GOLDEN = 'test/golden';

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();

describe('Dovecot goldens', () => {
  test('corpus has at least 60 messages, each with a golden', () => {
    assert.ok(fixtures.length >= 60, `only ${fixtures.length} fixtures`);
    for (const f of fixtures) assert.ok(existsSync(join(GOLDEN, f.replace(/\.eml$/, '.txt'))), `no golden for ${f}`);
  });
  for (const f of fixtures) {
    test(f, () => {
      const base = join(GOLDEN, f.replace(/\.eml$/, ''));
      const expectedFile = existsSync(`${base}.mailroom.txt`) ? `${base}.mailroom.txt` : `${base}.txt`;
      if (!existsSync(expectedFile)) return;
      if (expectedFile.endsWith('.mailroom.txt')) assert.ok(existsSync(`${base}.why.md`), 'a deviation needs its reason');
      const ours = renderGolden(readFileSync(join(FIXTURES, f)));
      assert.equal(ours.toString('latin1'), readFileSync(expectedFile).toString('latin1'));
    });
  }
});
