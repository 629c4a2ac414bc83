/**
 * Unit tests of the prefilter's SQL text; that it never changes a SEARCH result is proven against a real
 * database by sqlite/search.test.ts (property test) and the conformance suite (both SQL stores).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SearchKey } from '../../search/types.ts';
import { MAX_SQL_UID_RANGES, prefilter } from './sql-prefilter.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 0, 10, 12);

void test('question-mark placeholders, parameters in placeholder order', () => {
  const q: SearchKey = {
    type: 'and',
    keys: [
      { type: 'uid', ranges: [{ start: 2, end: 9 }, { start: 20, end: Infinity }] },
      { type: 'flag', flag: '\\Seen' },
      { type: 'or', left: { type: 'size', op: 'larger', size: 100 }, right: { type: 'modseq', min: 7 } },
    ],
  };
  assert.deepEqual(prefilter(q, NOW), {
    sql: '(m.uid BETWEEN ? AND ? OR m.uid >= ?) AND (m.seen = 1) AND ((m.size > ?) OR (m.modseq >= ?))',
    params: [2, 9, 20, 100, 7],
  });
});

void test('numbered placeholders start where the statement wants them', () => {
  const q: SearchKey = { type: 'and', keys: [{ type: 'uid', ranges: [{ start: 2, end: 9 }] }, { type: 'internalDate', op: 'on', date: '2024-01-10' }] };
  const day = Date.UTC(2024, 0, 10);
  assert.deepEqual(prefilter(q, NOW, { kind: 'numbered', first: 3 }), {
    sql: '(m.uid BETWEEN $3 AND $4) AND (m.internal_date >= $5 AND m.internal_date < $6)',
    params: [2, 9, day - DAY, day + 2 * DAY],
  });
});

void test('an empty UID set is FALSE, which both dialects accept; NOT only wraps exact conditions', () => {
  assert.deepEqual(prefilter({ type: 'not', key: { type: 'uid', ranges: [] } }, NOW), { sql: 'NOT (FALSE)', params: [] });
  assert.equal(prefilter({ type: 'not', key: { type: 'internalDate', op: 'before', date: '2024-01-01' } }, NOW), null);
  assert.equal(prefilter({ type: 'flag', flag: '\\Flagged' }, NOW), null);
  const many = Array.from({ length: MAX_SQL_UID_RANGES + 1 }, (_, i) => ({ start: 2 * i + 1, end: 2 * i + 1 }));
  assert.equal(prefilter({ type: 'uid', ranges: many }, NOW), null);
});

const leaf: fc.Arbitrary<SearchKey> = fc.oneof(
  fc.constant<SearchKey>({ type: 'all' }),
  fc.constantFrom('\\Seen', '\\Deleted', 'work').map((flag): SearchKey => ({ type: 'flag', flag })),
  fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 5 }), fc.boolean()), { maxLength: 3 }).map(
    (rs): SearchKey => ({ type: 'uid', ranges: rs.map(([start, len, open]) => ({ start, end: open ? Infinity : start + len })) }),
  ),
  fc.integer({ min: 1, max: 400 }).map((size): SearchKey => ({ type: 'size', op: 'smaller', size })),
  fc.integer({ min: -3, max: 3 }).map((d): SearchKey => ({ type: 'saveDate', op: 'since', date: new Date(NOW + d * DAY).toISOString().slice(0, 10) })),
  fc.integer({ min: 0, max: 5 }).map((days): SearchKey => ({ type: 'within', op: 'younger', seconds: days * 86_400 })),
);
const query: fc.Arbitrary<SearchKey> = fc.letrec<{ key: SearchKey }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small' },
    leaf,
    tie('key').map((key): SearchKey => ({ type: 'not', key })),
    fc.array(tie('key'), { minLength: 1, maxLength: 3 }).map((keys): SearchKey => ({ type: 'and', keys })),
    fc.tuple(tie('key'), tie('key')).map(([left, right]): SearchKey => ({ type: 'or', left, right })),
  ),
})).key;

void test('the two styles differ only in placeholders: $n numbers the ? in order, parameters equal', () => {
  fc.assert(
    fc.property(query, fc.integer({ min: 1, max: 5 }), (q, first) => {
      const sqlite = prefilter(q, NOW);
      const pg = prefilter(q, NOW, { kind: 'numbered', first });
      if (sqlite === null) return assert.equal(pg, null);
      assert.ok(pg);
      assert.deepEqual(pg.params, sqlite.params);
      assert.equal(sqlite.sql.split('?').length - 1, sqlite.params.length);
      let n = first;
      assert.equal(pg.sql, sqlite.sql.replace(/\?/g, () => `$${n++}`));
    }),
    { numRuns: 300 },
  );
});

void test('\\Answered, \\Flagged and \\Draft are narrowed by the flag list when the store says how it keeps it', () => {
  assert.deepEqual(prefilter({ type: 'flag', flag: '\\flagged' }, NOW, { kind: 'question' }, 'jsonText'), {
    sql: `m.flags LIKE '%"\\\\flagged"%'`,
    params: [],
  });
  assert.deepEqual(prefilter({ type: 'flag', flag: '\\Draft' }, NOW, { kind: 'numbered', first: 3 }, 'textArray'), {
    sql: `EXISTS (SELECT 1 FROM unnest(m.flags) AS f WHERE lower(f) = '\\draft')`,
    params: [],
  });
  // A superset, not exact: NOT is left to the evaluator; keywords are never spelled into the SQL.
  assert.equal(prefilter({ type: 'not', key: { type: 'flag', flag: '\\Answered' } }, NOW, { kind: 'question' }, 'jsonText'), null);
  assert.equal(prefilter({ type: 'flag', flag: 'work' }, NOW, { kind: 'question' }, 'jsonText'), null);
});
