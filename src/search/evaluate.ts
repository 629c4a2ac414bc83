/**
 * The protocol-neutral search evaluator (RFC 3501 section 6.4.4, RFC 9051 section 6.4.4, RFC 5032,
 * RFC 7162, RFC 8474, RFC 8514). Header and body matching is on decoded text (RFC 2047 words, transfer
 * encodings, charsets to UTF-8), case-insensitive with Unicode case folding, substring semantics.
 */
import { decodeHeaderValue, foldCase } from '../message/decode.ts';
import { parseHeaderBlock, parseHeaderFields } from '../message/header.ts';
import type { HeaderField } from '../message/header.ts';
import { parseMessage } from '../message/parse.ts';
import { bodyText, headerText } from '../message/text.ts';
import type { MessageMeta } from '../message/types.ts';
import { addressSearchText, paramSearchText } from './address-text.ts';
import { parseDateHeaderDay } from './dates.ts';
import type { CompiledSearch, SearchCandidate } from './evaluate-types.ts';
import type { SearchKey, SearchQuery } from './types.ts';

/** Options for compileSearch. */
export interface CompileOptions {
  /** Reference time for WITHIN (OLDER/YOUNGER); defaults to the time of each match call. */
  readonly now?: Date;
}

const ADDRESS_FIELDS = new Set(['from', 'to', 'cc', 'bcc', 'sender', 'reply-to']);
const PARAM_FIELDS = new Set(['content-type', 'content-disposition']);

/** Sent date of a message without a usable Date header (Dovecot's choice: the epoch). */
const NO_SENT_DATE = '1970-01-01';

/** Lazily computed, per candidate. */
class Context {
  private fields?: HeaderField[];
  private metaCache?: MessageMeta | null;
  private body?: string;
  private header?: string;
  constructor(readonly c: SearchCandidate) {}

  meta(): MessageMeta | null {
    if (this.metaCache === undefined) {
      this.metaCache = this.c.meta ?? (this.c.body !== undefined ? parseMessage(this.c.body) : null);
    }
    return this.metaCache;
  }

  headerFields(): HeaderField[] {
    if (this.fields === undefined) {
      const m = this.meta();
      this.fields = m !== null ? parseHeaderFields(m.header)
        : this.c.body !== undefined ? parseHeaderBlock(this.c.body, 0, this.c.body.length).fields : [];
    }
    return this.fields;
  }

  bodyText(): string {
    if (this.body === undefined) {
      const m = this.meta();
      this.body = m !== null && this.c.body !== undefined ? foldCase(bodyText(this.c.body, m.root)) : '';
    }
    return this.body;
  }

  headerText(): string {
    if (this.header === undefined) {
      const m = this.meta();
      this.header = m !== null ? foldCase(headerText(m.header, 0, m.header.length)) : '';
    }
    return this.header;
  }
}

/** Calendar day (YYYY-MM-DD) of a Date in UTC. */
function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function compareDay(day: string, op: 'before' | 'on' | 'since', ref: string): boolean {
  if (op === 'before') return day < ref;
  if (op === 'on') return day === ref;
  return day >= ref;
}

type Matcher = (ctx: Context) => boolean;

function compileKey(key: SearchKey, now: Date | undefined): Matcher {
  switch (key.type) {
    case 'all':
      return () => true;
    case 'and': {
      const ms = key.keys.map((k) => compileKey(k, now));
      return (ctx) => ms.every((m) => m(ctx));
    }
    case 'or': {
      const l = compileKey(key.left, now);
      const r = compileKey(key.right, now);
      return (ctx) => l(ctx) || r(ctx);
    }
    case 'not': {
      const m = compileKey(key.key, now);
      return (ctx) => !m(ctx);
    }
    case 'uid': {
      const ranges = key.ranges.map((r) => (r.start <= r.end ? r : { start: r.end, end: r.start }));
      return (ctx) => ranges.some((r) => ctx.c.uid >= r.start && ctx.c.uid <= r.end);
    }
    case 'flag': {
      // Flags and keywords are case-insensitive (RFC 3501 section 2.3.2).
      const f = key.flag.toLowerCase();
      return (ctx) => ctx.c.flags.some((x) => x.toLowerCase() === f);
    }
    case 'internalDate':
      return (ctx) => compareDay(utcDay(ctx.c.internalDate), key.op, key.date);
    case 'saveDate':
      return (ctx) => compareDay(utcDay(ctx.c.saveDate), key.op, key.date);
    case 'sentDate':
      return (ctx) => {
        const raw = ctx.headerFields().find((f) => f.name.toLowerCase() === 'date');
        // RFC 3501: the Date header's own calendar day, disregarding time and timezone. The RFC is silent on
        // a missing or unusable Date header; like Dovecot we then take 1970-01-01 (always "before").
        const day = (raw !== undefined ? parseDateHeaderDay(raw.value) : null) ?? NO_SENT_DATE;
        return compareDay(day, key.op, key.date);
      };
    case 'within':
      return (ctx) => {
        // RFC 5032 section 2: target = now - interval, to the second; OLDER matches internal dates at or
        // before the target, YOUNGER at or after it.
        const target = Math.floor((now ?? new Date()).getTime() / 1000) - key.seconds;
        const t = Math.floor(ctx.c.internalDate.getTime() / 1000);
        return key.op === 'older' ? t <= target : t >= target;
      };
    case 'size':
      return key.op === 'larger' ? (ctx) => ctx.c.size > key.size : (ctx) => ctx.c.size < key.size;
    case 'header': {
      const field = key.field.toLowerCase();
      const needle = foldCase(key.value);
      return (ctx) => {
        for (const f of ctx.headerFields()) {
          if (f.name.toLowerCase() !== field) continue;
          if (needle === '') return true;
          if (foldCase(decodeHeaderValue(f.value)).includes(needle)) return true;
          if (ADDRESS_FIELDS.has(field) && foldCase(addressSearchText(f.value)).includes(needle)) return true;
          if (PARAM_FIELDS.has(field) && foldCase(paramSearchText(field, f.value)).includes(needle)) return true;
        }
        return false;
      };
    }
    case 'body': {
      const needle = foldCase(key.value);
      return (ctx) => ctx.bodyText().includes(needle);
    }
    case 'text': {
      const needle = foldCase(key.value);
      return (ctx) => ctx.headerText().includes(needle) || ctx.bodyText().includes(needle);
    }
    case 'modseq':
      return (ctx) => ctx.c.modseq >= key.min;
    case 'emailId':
      return (ctx) => ctx.c.emailId === key.id;
    case 'threadId':
      return (ctx) => ctx.c.threadId === key.id;
    default: {
      const never: never = key;
      throw new Error(`unknown search key ${JSON.stringify(never)}`);
    }
  }
}

function needs(key: SearchKey): { meta: boolean; body: boolean } {
  switch (key.type) {
    case 'and': {
      const parts = key.keys.map(needs);
      return { meta: parts.some((p) => p.meta), body: parts.some((p) => p.body) };
    }
    case 'or': {
      const l = needs(key.left);
      const r = needs(key.right);
      return { meta: l.meta || r.meta, body: l.body || r.body };
    }
    case 'not':
      return needs(key.key);
    case 'header':
    case 'sentDate':
      return { meta: true, body: false };
    case 'body':
    case 'text':
      return { meta: true, body: true };
    default:
      return { meta: false, body: false };
  }
}

/** Prepare a query once; match it against many messages. */
export function compileSearch(query: SearchQuery, options: CompileOptions = {}): CompiledSearch {
  const matcher = compileKey(query, options.now);
  const n = needs(query);
  return {
    query,
    needsMeta: n.meta,
    needsBody: n.body,
    match: (candidate) => matcher(new Context(candidate)),
  };
}
