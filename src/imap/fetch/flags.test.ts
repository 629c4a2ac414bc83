import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderValue } from '../wire/value-encoder.ts';
import { flagsText, flagsValue } from './flags.ts';

void test('flagsText is the rendering of flagsValue (Dovecot order, \\Recent after system flags, keywords last)', () => {
  assert.equal(flagsText(['work', '\\Seen', '\\Answered'], true), '(\\Answered \\Seen \\Recent work)');
  assert.equal(flagsText([], false), '()');
  assert.equal(flagsText(['$Junk'], false), '($Junk)');
  const flag = fc.constantFrom('\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', 'work', '$Junk', 'caf\u00e9');
  fc.assert(
    fc.property(fc.uniqueArray(flag, { maxLength: 8 }), fc.boolean(), (flags, recent) => {
      assert.equal(flagsText(flags, recent), renderValue(flagsValue(flags, recent)).toString('utf8'));
    }),
    { numRuns: 1000 },
  );
});
