/**
 * Structured MIME header values: Content-Type, Content-Disposition, Content-Language and
 * Content-Transfer-Encoding (RFC 2045 section 5.1, RFC 2183, RFC 3282), with RFC 2231 continuations merged
 * the way Dovecot presents them in BODYSTRUCTURE: `name*0*`, `name*1` ... become one `name*` whose value
 * stays percent-encoded with its `charset'language'` prefix. Works on binary strings, never throws.
 */
import type { MimeParam } from './types.ts';

/** RFC 2045 tspecials plus space and controls end a token. */
function isTokenChar(c: number): boolean {
  if (c <= 0x20 || c === 0x7f) return false;
  // ( ) < > @ , ; : \ " / [ ] ? =
  return !(
    c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x40 || c === 0x2c || c === 0x3b ||
    c === 0x3a || c === 0x5c || c === 0x22 || c === 0x2f || c === 0x5b || c === 0x5d || c === 0x3f || c === 0x3d
  );
}

/** A cursor over a binary string with RFC 822 lexical helpers. */
export class Lexer {
  pos = 0;
  constructor(readonly s: string) {}

  /** Skip whitespace, folding and (nested) comments. */
  skipCfws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
        this.pos++;
      } else if (c === 0x28) {
        let depth = 0;
        while (this.pos < s.length) {
          const d = s.charCodeAt(this.pos);
          if (d === 0x5c) this.pos++;
          else if (d === 0x28) depth++;
          else if (d === 0x29 && --depth === 0) { this.pos++; break; }
          this.pos++;
        }
      } else {
        break;
      }
    }
  }

  /** Read a MIME token, '' when there is none. */
  token(): string {
    const start = this.pos;
    while (this.pos < this.s.length && isTokenChar(this.s.charCodeAt(this.pos))) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** Whether the last quoted() call found its closing quote. */
  terminated = true;

  /** Read a quoted-string (positioned at the opening quote); folding removed, escapes resolved. */
  quoted(): string {
    let out = '';
    this.pos++;
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '"') { this.pos++; this.terminated = true; return out; }
      if (c === '\\' && this.pos + 1 < s.length) { out += s[this.pos + 1]; this.pos += 2; continue; }
      if (c !== '\r' && c !== '\n') out += c;
      this.pos++;
    }
    this.terminated = false;
    return out;
  }

  peek(): string {
    return this.s[this.pos] ?? '';
  }

  done(): boolean {
    return this.pos >= this.s.length;
  }
}

/** A parsed `type/subtype; params` value. */
export interface ContentType {
  readonly type: string;
  readonly subtype: string;
  readonly params: MimeParam[];
}

/** Parse `;`-separated parameters from the lexer's position, RFC 2231 merged. */
export function parseParams(lex: Lexer): MimeParam[] {
  const raw: Array<[string, string]> = [];
  for (;;) {
    lex.skipCfws();
    if (lex.done()) break;
    if (lex.peek() !== ';') {
      // garbage between parameters: skip to the next ';'
      const next = lex.s.indexOf(';', lex.pos);
      if (next < 0) break;
      lex.pos = next;
    }
    lex.pos++; // ';'
    lex.skipCfws();
    const name = lex.token();
    lex.skipCfws();
    if (name === '' || lex.peek() !== '=') continue;
    lex.pos++;
    lex.skipCfws();
    let value: string;
    if (lex.peek() === '"') {
      value = lex.quoted();
      // Dovecot drops a parameter whose quoted value never ends (and everything after it).
      if (!lex.terminated) break;
    } else {
      // Tolerate unquoted values with tspecials (broken mailers): read up to ';' or whitespace.
      const start = lex.pos;
      while (!lex.done() && !/[;\s]/.test(lex.peek())) lex.pos++;
      value = lex.s.slice(start, lex.pos);
    }
    raw.push([name, value]);
  }
  return mergeRfc2231(raw);
}

/** Octets RFC 2231 extended values may carry unencoded (attribute-char). */
function pctEncode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x20 && c < 0x7f && isTokenChar(c) && c !== 0x2a && c !== 0x27 && c !== 0x25) out += value[i];
    else out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * RFC 2231 section 3/4: merge `name*N[*]` continuations. Plain parameters keep their order; merged ones
 * follow, as in Dovecot's rfc2231_parse().
 */
function mergeRfc2231(raw: Array<[string, string]>): MimeParam[] {
  const plain: MimeParam[] = [];
  const groups = new Map<string, Array<{ idx: number; extended: boolean; value: string }>>();
  for (const [name, value] of raw) {
    // `name*N`, `name*N*` (continuations) and `name*` (one extended value) are RFC 2231 parameters.
    const m = /^(.+?)\*(?:(\d+)(\*?))?$/.exec(name);
    if (m === null) {
      plain.push([name, value]);
      continue;
    }
    const list = groups.get(m[1]) ?? [];
    if (m[2] === undefined) list.push({ idx: 0, extended: true, value });
    else list.push({ idx: Number(m[2]), extended: m[3] === '*', value });
    groups.set(m[1], list);
  }
  const merged: MimeParam[] = [];
  for (const [name, list] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    list.sort((a, b) => a.idx - b.idx);
    // Only a run 0,1,2... counts; the rest is dropped (RFC 2231 section 3).
    const run = [];
    for (let i = 0; i < list.length && list[i].idx === i; i++) run.push(list[i]);
    if (run.length === 0) continue;
    const extended = run.some((p) => p.extended);
    if (!extended) {
      merged.push([name, run.map((p) => p.value).join('')]);
      continue;
    }
    let value = run[0].extended ? run[0].value : "''" + pctEncode(run[0].value);
    for (const p of run.slice(1)) value += p.extended ? p.value : pctEncode(p.value);
    merged.push([name + '*', value]);
  }
  return plain.concat(merged);
}

/** Parse a Content-Type value; null when it has no valid `type/subtype`. */
export function parseContentType(value: string): ContentType | null {
  const lex = new Lexer(value);
  lex.skipCfws();
  const type = lex.token();
  lex.skipCfws();
  if (type === '' || lex.peek() !== '/') return null;
  lex.pos++;
  lex.skipCfws();
  const subtype = lex.token();
  if (subtype === '') return null;
  return { type, subtype, params: parseParams(lex) };
}

/** Parse a Content-Disposition value; null when there is no disposition type. */
export function parseDisposition(value: string): { type: string; params: MimeParam[] } | null {
  const lex = new Lexer(value);
  lex.skipCfws();
  const type = lex.token();
  if (type === '') return null;
  return { type, params: parseParams(lex) };
}

/** Content-Language (RFC 3282): a comma-separated list of language tags. */
export function parseLanguage(value: string): string[] | null {
  const lex = new Lexer(value);
  const out: string[] = [];
  for (;;) {
    lex.skipCfws();
    if (lex.done()) break;
    if (lex.peek() === ',') { lex.pos++; continue; }
    const start = lex.pos;
    while (!lex.done() && !/[,\s(]/.test(lex.peek())) lex.pos++;
    if (lex.pos > start) out.push(lex.s.slice(start, lex.pos));
    else lex.pos++;
  }
  return out.length > 0 ? out : null;
}

/** Content-Transfer-Encoding: the mechanism token, null when none. */
export function parseEncoding(value: string): string | null {
  const lex = new Lexer(value);
  lex.skipCfws();
  const t = lex.token();
  return t === '' ? null : t;
}
