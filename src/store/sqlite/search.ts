/**
 * SEARCH prefilter: the cheap parts of a query (UIDs, \Seen/\Deleted, size, dates, MODSEQ) become a SQL
 * condition on the `messages` row, so only candidates reach the evaluator (search/compileSearch), which
 * always has the last word. The condition is therefore only ever a SUPERSET of the matches: date keys get a
 * day of margin on each side (the evaluator owns the calendar-day rules of RFC 3501 section 6.4.4), and NOT
 * is only translated around conditions that are exact.
 */
import type { SearchKey } from '../../search/types.ts';

/** A SQL condition over the `m` (messages) alias, with its parameters. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly number[];
}

interface Translation extends SqlCondition {
  /** True when the condition matches exactly the messages the key matches. */
  readonly exact: boolean;
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
      return { sql: `${column} < ?`, params: [start + DAY_MS], exact: false };
    case 'since':
      return { sql: `${column} >= ?`, params: [start - DAY_MS], exact: false };
    case 'on':
      return { sql: `${column} >= ? AND ${column} < ?`, params: [start - DAY_MS, start + 2 * DAY_MS], exact: false };
  }
}

function translate(key: SearchKey, now: number): Translation | null {
  switch (key.type) {
    case 'and': {
      const parts = key.keys.map((k) => translate(k, now));
      const kept = parts.filter((p): p is Translation => p !== null);
      if (kept.length === 0) return null;
      return {
        sql: kept.map((p) => `(${p.sql})`).join(' AND '),
        params: kept.flatMap((p) => p.params),
        exact: kept.length === parts.length && kept.every((p) => p.exact),
      };
    }
    case 'or': {
      const l = translate(key.left, now);
      const r = translate(key.right, now);
      if (!l || !r) return null;
      return { sql: `(${l.sql}) OR (${r.sql})`, params: [...l.params, ...r.params], exact: l.exact && r.exact };
    }
    case 'not': {
      const inner = translate(key.key, now);
      if (!inner || !inner.exact) return null;
      return { sql: `NOT (${inner.sql})`, params: inner.params, exact: true };
    }
    case 'uid': {
      if (key.ranges.length === 0) return { sql: '0', params: [], exact: true };
      if (key.ranges.length > MAX_SQL_UID_RANGES) return null;
      const sql: string[] = [];
      const params: number[] = [];
      for (const r of key.ranges) {
        const lo = Math.min(r.start, r.end);
        const hi = Math.max(r.start, r.end);
        if (hi === Infinity) {
          sql.push('m.uid >= ?');
          params.push(lo);
        } else {
          sql.push('m.uid BETWEEN ? AND ?');
          params.push(lo, hi);
        }
      }
      return { sql: sql.join(' OR '), params, exact: true };
    }
    case 'flag': {
      const flag = key.flag.toLowerCase();
      if (flag === '\\seen') return { sql: 'm.seen = 1', params: [], exact: true };
      if (flag === '\\deleted') return { sql: 'm.deleted = 1', params: [], exact: true };
      return null;
    }
    case 'size':
      return key.op === 'larger'
        ? { sql: 'm.size > ?', params: [key.size], exact: true }
        : { sql: 'm.size < ?', params: [key.size], exact: true };
    case 'modseq':
      return { sql: 'm.modseq >= ?', params: [key.min], exact: true };
    case 'internalDate':
      return dateCondition('m.internal_date', key.op, key.date);
    case 'saveDate':
      return dateCondition('m.save_date', key.op, key.date);
    case 'within': {
      // A minute of margin: the evaluator reads the clock a little later than we do.
      const edge = now - key.seconds * 1000;
      return key.op === 'older'
        ? { sql: 'm.internal_date <= ?', params: [edge + 60_000], exact: false }
        : { sql: 'm.internal_date >= ?', params: [edge - 60_000], exact: false };
    }
    default:
      return null;
  }
}

/** The SQL condition narrowing a search, or null when every message is a candidate. */
export function prefilter(query: SearchKey, now: number = Date.now()): SqlCondition | null {
  const t = translate(query, now);
  return t ? { sql: t.sql, params: t.params } : null;
}
