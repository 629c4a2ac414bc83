/**
 * SEARCH prefilter: the cheap parts of a query (UIDs, \Seen/\Deleted, size, dates, MODSEQ) become a SQL
 * condition on the `messages` row, so only candidates reach the evaluator (search/compileSearch), which
 * always has the last word. The condition is therefore only ever a SUPERSET of the matches: date keys get a
 * day of margin on each side (the evaluator owns the calendar-day rules of RFC 3501 section 6.4.4), and NOT
 * is only translated around conditions that are exact.
 *
 * Shared by the SQLite and PostgreSQL stores, whose `messages` tables have the same columns (uid, seen,
 * deleted, size, modseq, internal_date, save_date; dates in epoch milliseconds, flags as 0/1). The two
 * dialects differ only in placeholders, chosen with PlaceholderStyle; false is spelled FALSE, which both
 * accept (SQLite since 3.23).
 */
import type { SearchKey } from '../../search/types.ts';

/** A SQL condition over the `m` (messages) alias, with its parameters. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly number[];
}

/**
 * How parameters are written: `?` each (SQLite), or `$n` numbered from `first` (PostgreSQL, where the
 * statement's own parameters come first, so the condition's start after them).
 */
export type PlaceholderStyle = { readonly kind: 'question' } | { readonly kind: 'numbered'; readonly first: number };

/** SQLite's placeholders. */
export const QUESTION_PLACEHOLDERS: PlaceholderStyle = { kind: 'question' };

/**
 * How the `m.flags` column holds a message's flag list, for the flags without a 0/1 column (\Answered,
 * \Flagged, \Draft): SQLite's JSON text or PostgreSQL's text[]. Without it those keys are not translated
 * and every message is a candidate (the evaluator reads each flag list).
 */
export type FlagListColumn = 'jsonText' | 'textArray';

/** System flags that get a flag-list condition: fixed names, so they are spelled in the SQL, not bound. */
const LISTED_SYSTEM_FLAGS = new Set(['\\answered', '\\flagged', '\\draft']);

/**
 * A superset condition for "the flag list holds `flag`" (lower-case, one of LISTED_SYSTEM_FLAGS): the JSON
 * text holds it as the string `"\\Flagged"` (JSON escapes the backslash; SQLite's LIKE ignores ASCII case and
 * has no escape character unless ESCAPE is given); the array holds an element equal to it ignoring case.
 */
function flagListCondition(flag: string, column: FlagListColumn): Translation {
  const name = flag.slice(1); // the letters after the backslash, which need no quoting in either dialect
  return column === 'jsonText'
    ? fixed(`m.flags LIKE '%"\\\\${name}"%'`, false)
    : fixed(`EXISTS (SELECT 1 FROM unnest(m.flags) AS f WHERE lower(f) = '\\${name}')`, false);
}

/** Hands out placeholders in the order their parameters appear in the finished condition. */
type Placeholders = () => string;

interface Translation {
  /** The condition's text; calls `ph` once per parameter, in `params` order. */
  readonly render: (ph: Placeholders) => string;
  readonly params: readonly number[];
  /** True when the condition matches exactly the messages the key matches. */
  readonly exact: boolean;
}

/** A translation without parameters. */
function fixed(sql: string, exact: boolean): Translation {
  return { render: () => sql, params: [], exact };
}

const DAY_MS = 86_400_000;

/**
 * UID ranges turned into SQL at most: a query with thousands of ranges is evaluated in memory instead of
 * producing a statement too long to be worth preparing.
 */
export const MAX_SQL_UID_RANGES = 64;

function dayStart(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function dateCondition(column: string, op: 'before' | 'on' | 'since', date: string): Translation | null {
  const start = dayStart(date);
  if (start === null) return null;
  // One day of margin either side: a superset whatever time zone the evaluator compares in.
  switch (op) {
    case 'before':
      return { render: (ph) => `${column} < ${ph()}`, params: [start + DAY_MS], exact: false };
    case 'since':
      return { render: (ph) => `${column} >= ${ph()}`, params: [start - DAY_MS], exact: false };
    case 'on':
      return { render: (ph) => `${column} >= ${ph()} AND ${column} < ${ph()}`, params: [start - DAY_MS, start + 2 * DAY_MS], exact: false };
  }
}

function translate(key: SearchKey, now: number, flags?: FlagListColumn): Translation | null {
  switch (key.type) {
    case 'and': {
      const parts = key.keys.map((k) => translate(k, now, flags));
      const kept = parts.filter((p): p is Translation => p !== null);
      if (kept.length === 0) return null;
      return {
        render: (ph) => kept.map((p) => `(${p.render(ph)})`).join(' AND '),
        params: kept.flatMap((p) => p.params),
        exact: kept.length === parts.length && kept.every((p) => p.exact),
      };
    }
    case 'or': {
      const l = translate(key.left, now, flags);
      const r = translate(key.right, now, flags);
      if (!l || !r) return null;
      return { render: (ph) => `(${l.render(ph)}) OR (${r.render(ph)})`, params: [...l.params, ...r.params], exact: l.exact && r.exact };
    }
    case 'not': {
      const inner = translate(key.key, now, flags);
      if (!inner || !inner.exact) return null;
      return { render: (ph) => `NOT (${inner.render(ph)})`, params: inner.params, exact: true };
    }
    case 'uid': {
      if (key.ranges.length === 0) return fixed('FALSE', true);
      if (key.ranges.length > MAX_SQL_UID_RANGES) return null;
      const open: boolean[] = [];
      const params: number[] = [];
      for (const r of key.ranges) {
        const lo = Math.min(r.start, r.end);
        const hi = Math.max(r.start, r.end);
        open.push(hi === Infinity);
        if (hi === Infinity) params.push(lo);
        else params.push(lo, hi);
      }
      return {
        render: (ph) => open.map((o) => (o ? `m.uid >= ${ph()}` : `m.uid BETWEEN ${ph()} AND ${ph()}`)).join(' OR '),
        params,
        exact: true,
      };
    }
    case 'flag': {
      const flag = key.flag.toLowerCase();
      if (flag === '\\seen') return fixed('m.seen = 1', true);
      if (flag === '\\deleted') return fixed('m.deleted = 1', true);
      if (flags !== undefined && LISTED_SYSTEM_FLAGS.has(flag)) return flagListCondition(flag, flags);
      return null;
    }
    case 'size':
      return key.op === 'larger'
        ? { render: (ph) => `m.size > ${ph()}`, params: [key.size], exact: true }
        : { render: (ph) => `m.size < ${ph()}`, params: [key.size], exact: true };
    case 'modseq':
      return { render: (ph) => `m.modseq >= ${ph()}`, params: [key.min], exact: true };
    case 'internalDate':
      return dateCondition('m.internal_date', key.op, key.date);
    case 'saveDate':
      return dateCondition('m.save_date', key.op, key.date);
    case 'within': {
      // A minute of margin: the evaluator reads the clock a little later than we do.
      const edge = now - key.seconds * 1000;
      return key.op === 'older'
        ? { render: (ph) => `m.internal_date <= ${ph()}`, params: [edge + 60_000], exact: false }
        : { render: (ph) => `m.internal_date >= ${ph()}`, params: [edge - 60_000], exact: false };
    }
    default:
      return null;
  }
}

/**
 * The SQL condition narrowing a search, or null when every message is a candidate. `now` is the clock
 * the evaluator uses too (WITHIN, RFC 5032); `style` the dialect's placeholders (default `?`); `flags` how
 * the store keeps flag lists, to narrow \Answered, \Flagged and \Draft too (default: not narrowed).
 */
export function prefilter(
  query: SearchKey,
  now: number = Date.now(),
  style: PlaceholderStyle = QUESTION_PLACEHOLDERS,
  flags?: FlagListColumn,
): SqlCondition | null {
  const t = translate(query, now, flags);
  if (!t) return null;
  let n = style.kind === 'numbered' ? style.first : 0;
  const ph: Placeholders = style.kind === 'numbered' ? () => `$${n++}` : () => '?';
  return { sql: t.render(ph), params: t.params };
}
