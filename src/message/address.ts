/**
 * RFC 5322 section 3.4 address lists, parsed like a careful mail client and like Dovecot's message-address
 * parser for ENVELOPE: quoted local parts, display names with commas, comments as names, route addresses
 * (obs-route), group syntax, missing domains. Works on binary strings (8-bit octets pass through), RFC 2047
 * words stay encoded. Never throws.
 */

/** One ENVELOPE address, or a group marker: a group start has mailbox = group name and host null; the group end has all four null. */
export interface EnvelopeAddress {
  readonly name: string | null;
  readonly adl: string | null;
  readonly mailbox: string | null;
  readonly host: string | null;
  /** Set on the two group markers (RFC 3501 section 7.4.2 group syntax). */
  readonly group?: 'start' | 'end';
  /** The address was cut short (`<` without `>`): Dovecot shows its host as SYNTAX_ERROR. */
  readonly syntaxError?: boolean;
}

type Tok =
  | { t: 'atom'; v: string }
  | { t: 'quoted'; v: string; raw: string; closed: boolean }
  | { t: 'comment'; v: string }
  | { t: 'special'; v: string };

const SPECIALS = '()<>@,;:\\".[]';

/** Tokenize an address header value (RFC 5322 section 3.2). */
export function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { i++; continue; }
    if (c === '"') {
      let v = '';
      const start = i;
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) { v += s[i + 1]; i += 2; continue; }
        if (s[i] !== '\r' && s[i] !== '\n') v += s[i];
        i++;
      }
      const closed = i < s.length;
      i++;
      out.push({ t: 'quoted', v, raw: s.slice(start, Math.min(i, s.length)), closed });
      continue;
    }
    if (c === '(') {
      let depth = 0;
      let v = '';
      while (i < s.length) {
        const d = s[i];
        if (d === '\\' && i + 1 < s.length) { if (depth > 0) v += s[i + 1]; i += 2; continue; }
        if (d === '(') { if (depth > 0) v += d; depth++; }
        else if (d === ')') { depth--; if (depth === 0) { i++; break; } v += d; }
        else if (d !== '\r' && d !== '\n') v += d;
        i++;
      }
      out.push({ t: 'comment', v: v.trim() });
      continue;
    }
    if (SPECIALS.includes(c)) { out.push({ t: 'special', v: c }); i++; continue; }
    const start = i;
    while (i < s.length && !SPECIALS.includes(s[i]) && !/[ \t\r\n]/.test(s[i])) i++;
    out.push({ t: 'atom', v: s.slice(start, i) });
  }
  return out;
}

const isSp = (t: Tok | undefined, v: string): boolean => t !== undefined && t.t === 'special' && t.v === v;

/** Join phrase words (display names) with single spaces; quoted strings lose their quotes. */
function phrase(toks: Tok[]): string | null {
  const words: string[] = [];
  for (const t of toks) {
    if (t.t === 'comment') continue;
    if (t.t === 'special' && t.v === '.') {
      // obs-phrase allows '.', as in "John Q. Public": glue it to the previous word.
      if (words.length > 0) words[words.length - 1] += '.';
      else words.push('.');
      continue;
    }
    words.push(t.v);
  }
  const text = words.join(' ');
  return text === '' ? null : text;
}

/** local-part and domain of an addr-spec token run. */
function addrSpec(toks: Tok[]): { mailbox: string | null; host: string | null; comment: string | null } {
  let comment: string | null = null;
  const at = toks.findIndex((t) => isSp(t, '@'));
  const local = at < 0 ? toks : toks.slice(0, at);
  const domain = at < 0 ? [] : toks.slice(at + 1);
  const text = (run: Tok[], keepQuotes: boolean): string => {
    let s = '';
    for (const t of run) {
      if (t.t === 'comment') { comment = t.v; continue; }
      if (t.t === 'quoted') s += keepQuotes ? t.raw : t.v;
      else s += t.v;
    }
    return s;
  };
  const mailbox = text(local, false);
  const host = at < 0 ? null : text(domain, false);
  return { mailbox: mailbox === '' ? null : mailbox, host, comment };
}

/** Parse one mailbox (name-addr or addr-spec) from a token run. */
function mailbox(toks: Tok[]): EnvelopeAddress | null {
  const lt = toks.findIndex((t) => isSp(t, '<'));
  if (lt >= 0) {
    let gt = toks.findIndex((t, i) => i > lt && isSp(t, '>'));
    const syntaxError = gt < 0;
    if (gt < 0) gt = toks.length;
    const name = phrase(toks.slice(0, lt));
    let inner = toks.slice(lt + 1, gt);
    let adl: string | null = null;
    const colon = inner.findIndex((t) => isSp(t, ':'));
    if (colon >= 0 && isSp(inner[0], '@')) {
      adl = inner.slice(0, colon).map((t) => t.v).join('');
      inner = inner.slice(colon + 1);
    }
    const spec = addrSpec(inner);
    // An explicit `<>` is still an address (Dovecot shows it with placeholders).
    return syntaxError ? { name, adl, mailbox: spec.mailbox, host: spec.host, syntaxError } : { name, adl, mailbox: spec.mailbox, host: spec.host };
  }
  const spec = addrSpec(toks);
  if (spec.mailbox === null && spec.host === null) return null;
  return { name: spec.comment, adl: null, mailbox: spec.mailbox, host: spec.host };
}

/** Split tokens at top-level commas (commas inside <...> do not count). */
function splitCommas(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let angle = 0;
  for (const t of toks) {
    if (isSp(t, '<')) angle++;
    if (isSp(t, '>')) angle = Math.max(0, angle - 1);
    if (isSp(t, ',') && angle === 0) { out.push(cur); cur = []; continue; }
    cur.push(t);
  }
  out.push(cur);
  return out;
}

/** Parse an address-list header value into ENVELOPE addresses (group markers included). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const toks = tokenize(value);
  const out: EnvelopeAddress[] = [];
  let i = 0;
  while (i < toks.length) {
    // A group: phrase ':' ... ';' where the ':' comes before any '<' or '@'.
    let j = i;
    while (j < toks.length && !isSp(toks[j], ':') && !isSp(toks[j], '<') && !isSp(toks[j], '@') && !isSp(toks[j], ',')) j++;
    if (j < toks.length && isSp(toks[j], ':') && j > i) {
      const name = phrase(toks.slice(i, j)) ?? '';
      let k = j + 1;
      let angle = 0;
      while (k < toks.length && !(isSp(toks[k], ';') && angle === 0)) {
        if (isSp(toks[k], '<')) angle++;
        if (isSp(toks[k], '>')) angle--;
        k++;
      }
      out.push({ name: null, adl: null, mailbox: name, host: null, group: 'start' });
      for (const chunk of splitCommas(toks.slice(j + 1, k))) {
        const m = mailbox(chunk);
        if (m !== null) out.push(m);
      }
      out.push({ name: null, adl: null, mailbox: null, host: null, group: 'end' });
      i = k + 1;
      while (i < toks.length && isSp(toks[i], ',')) i++;
      continue;
    }
    // A mailbox: up to the next top-level comma.
    let k = i;
    let angle = 0;
    while (k < toks.length && !(isSp(toks[k], ',') && angle === 0)) {
      if (isSp(toks[k], '<')) angle++;
      if (isSp(toks[k], '>')) angle = Math.max(0, angle - 1);
      k++;
    }
    const chunk = toks.slice(i, k);
    if (chunk.every((t) => t.t === 'comment')) {
      // An empty entry between commas is an address with nothing in it (Dovecot shows placeholders);
      // a trailing comma is not.
      if (k < toks.length) out.push({ name: null, adl: null, mailbox: null, host: null });
      i = k + 1;
      continue;
    }
    // Like Dovecot, stop at a syntax error that leaves the rest unreadable: an unterminated quoted string,
    // or junk after a complete <addr-spec>; what was parsed so far is kept.
    if (chunk.some((t) => t.t === 'quoted' && !t.closed)) break;
    const gt = chunk.findIndex((t) => isSp(t, '>'));
    const junk = gt >= 0 && chunk.slice(gt + 1).some((t) => t.t !== 'comment');
    const m = mailbox(junk ? chunk.slice(0, gt + 1) : chunk);
    if (m !== null) out.push(m);
    if (junk) break;
    i = k + 1;
  }
  return out;
}
