/**
 * The FETCH plan: the att list of a FETCH command (RFC 3501 section 6.4.5 and the `fetch` ABNF in section
 * 9, RFC 3516 BINARY) decoded into items, and what executing them needs (metadata, the body, \Seen).
 */
import type { ImapDecoder } from '../wire/decoder.ts';

/** The text part of a section: `HEADER`, `HEADER.FIELDS[.NOT] (...)`, `TEXT`, `MIME`. */
export type SectionText =
  | { readonly kind: 'header' }
  /**
   * `quoted[i]`: the client sent field i as a string rather than an atom; the response echoes it the same
   * way (Dovecot does), upper-cased.
   */
  | { readonly kind: 'headerFields'; readonly fields: readonly string[]; readonly not: boolean; readonly quoted?: readonly boolean[] }
  | { readonly kind: 'text' }
  | { readonly kind: 'mime' };

/** A `section` of BODY[...]: the part path (empty for the whole message) and an optional text specifier. */
export interface SectionRef {
  readonly part: readonly number[];
  readonly text: SectionText | null;
}

/** `<origin.count>` (RFC 3501 section 6.4.5). */
export interface PartialRange {
  readonly origin: number;
  readonly count: number;
}

/** Response names of the section-valued items. */
export type SectionItemName = 'BODY' | 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT';

/** One item of a FETCH. */
export type FetchItem =
  | { readonly type: 'uid' }
  | { readonly type: 'flags' }
  | { readonly type: 'internalDate' }
  | { readonly type: 'size' }
  | { readonly type: 'envelope' }
  /** `BODY` without a section: the non-extensible body structure. */
  | { readonly type: 'body' }
  | { readonly type: 'bodyStructure' }
  /** BODY[...] / BODY.PEEK[...] and the RFC822 forms, which are aliases of sections. */
  | {
      readonly type: 'section';
      readonly name: SectionItemName;
      readonly section: SectionRef;
      readonly partial: PartialRange | null;
      readonly peek: boolean;
    }
  /** RFC 3516 BINARY[part]<partial> / BINARY.PEEK. */
  | { readonly type: 'binary'; readonly part: readonly number[]; readonly partial: PartialRange | null; readonly peek: boolean }
  /** RFC 3516 BINARY.SIZE[part]. */
  | { readonly type: 'binarySize'; readonly part: readonly number[] }
  /** RFC 8514 SAVEDATE. */
  | { readonly type: 'saveDate' }
  /** RFC 8474 EMAILID and THREADID. */
  | { readonly type: 'emailId' }
  | { readonly type: 'threadId' };

/** A FETCH ready to execute. */
export interface FetchPlan {
  /** Items in response order, de-duplicated; UID first for UID FETCH (as Dovecot answers). */
  readonly items: readonly FetchItem[];
  /** Some item needs the parsed metadata (ENVELOPE, BODY[STRUCTURE], sections other than the whole message). */
  readonly needsMeta: boolean;
  /** Some item reads message bytes. */
  readonly needsBody: boolean;
  /** Some item is a non-PEEK body section: \Seen is set on read-write mailboxes (RFC 3501 section 6.4.5). */
  readonly setsSeen: boolean;
  /** FLAGS was asked for explicitly. */
  readonly hasFlags: boolean;
  /**
   * Capabilities whose items the FETCH uses (SAVEDATE, OBJECTID): the command refuses them with BAD when
   * the extension is not offered, as it would any unknown item.
   */
  readonly extensions: ReadonlySet<string>;
}

/**
 * Deepest section part path accepted (`1.2.3...`). Real MIME trees nest a handful of levels; the message
 * parser stops at 100 (MAX_MIME_DEPTH), so nothing deeper can name a part anyway.
 */
export const MAX_SECTION_DEPTH = 100;

/** Most header field names in one HEADER.FIELDS list: bounds the work of the field filter. */
export const MAX_HEADER_FIELDS = 1000;

const MACROS: Readonly<Record<string, readonly FetchItem[]>> = {
  // RFC 3501 section 6.4.5: the macros and their expansions, in the order Dovecot answers them.
  ALL: [{ type: 'flags' }, { type: 'internalDate' }, { type: 'size' }, { type: 'envelope' }],
  FAST: [{ type: 'flags' }, { type: 'internalDate' }, { type: 'size' }],
  FULL: [{ type: 'flags' }, { type: 'internalDate' }, { type: 'size' }, { type: 'envelope' }, { type: 'body' }],
};

const SIMPLE: Readonly<Record<string, FetchItem>> = {
  UID: { type: 'uid' },
  FLAGS: { type: 'flags' },
  INTERNALDATE: { type: 'internalDate' },
  'RFC822.SIZE': { type: 'size' },
  ENVELOPE: { type: 'envelope' },
  BODY: { type: 'body' },
  BODYSTRUCTURE: { type: 'bodyStructure' },
  RFC822: { type: 'section', name: 'RFC822', section: { part: [], text: null }, partial: null, peek: false },
  'RFC822.HEADER': { type: 'section', name: 'RFC822.HEADER', section: { part: [], text: { kind: 'header' } }, partial: null, peek: true },
  'RFC822.TEXT': { type: 'section', name: 'RFC822.TEXT', section: { part: [], text: { kind: 'text' } }, partial: null, peek: false },
  SAVEDATE: { type: 'saveDate' },
  EMAILID: { type: 'emailId' },
  THREADID: { type: 'threadId' },
};

/** The capability an item belongs to, for items of extensions the server may leave out. */
function itemExtension(item: FetchItem): string | null {
  switch (item.type) {
    case 'saveDate':
      return 'SAVEDATE';
    case 'emailId':
    case 'threadId':
      return 'OBJECTID';
    default:
      return null;
  }
}

function isNameByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2e;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Letters, digits and dots: the name of a fetch-att up to `[`, SP or `)`. */
function attName(d: ImapDecoder): string {
  let name = '';
  for (let b = d.peekByte(); b >= 0 && isNameByte(b); b = d.peekByte()) {
    const ch = String.fromCharCode(b);
    d.accept(ch);
    name += ch;
  }
  if (name === '') d.fail('expected fetch attribute');
  return name.toUpperCase();
}

/**
 * section-part = nz-number *("." nz-number). Returns true when it also consumed the "." that introduces a
 * section-text (a "." not followed by a digit).
 */
function sectionPart(d: ImapDecoder, part: number[]): boolean {
  for (;;) {
    if (part.length >= MAX_SECTION_DEPTH) d.fail('section part too deep');
    part.push(d.nzNumber());
    if (!d.accept('.')) return false;
    if (!isDigit(d.peekByte())) return true;
  }
}

/** section = "[" [section-spec] "]"; the "[" is already consumed. */
function section(d: ImapDecoder): SectionRef {
  const part: number[] = [];
  if (d.accept(']')) return { part, text: null };
  if (isDigit(d.peekByte())) {
    const dotted = sectionPart(d, part);
    if (!dotted) {
      d.expect(']');
      return { part, text: null };
    }
  }
  const name = attName(d);
  let text: SectionText;
  switch (name) {
    case 'HEADER':
      text = { kind: 'header' };
      break;
    case 'TEXT':
      text = { kind: 'text' };
      break;
    case 'MIME':
      // section-text allows MIME only after a part number (RFC 3501 section 9).
      if (part.length === 0) d.fail('Invalid BODY[..] section');
      text = { kind: 'mime' };
      break;
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT': {
      d.sp();
      const quoted: boolean[] = [];
      const fields = d.list(() => {
        quoted.push(d.peekString());
        return d.astring();
      });
      if (fields.length === 0) d.fail('Invalid BODY[..] section');
      if (fields.length > MAX_HEADER_FIELDS) d.fail('too many header fields');
      text = quoted.some(Boolean)
        ? { kind: 'headerFields', fields, not: name === 'HEADER.FIELDS.NOT', quoted }
        : { kind: 'headerFields', fields, not: name === 'HEADER.FIELDS.NOT' };
      break;
    }
    default:
      return d.fail('Invalid BODY[..] section');
  }
  d.expect(']');
  return { part, text };
}

/** section-binary = "[" [section-part] "]"; the "[" is already consumed. */
function binarySection(d: ImapDecoder): number[] {
  const part: number[] = [];
  if (d.accept(']')) return part;
  for (;;) {
    if (part.length >= MAX_SECTION_DEPTH) d.fail('section part too deep');
    part.push(d.nzNumber());
    if (!d.accept('.')) break;
  }
  d.expect(']');
  return part;
}

/**
 * ["<" number64 "." nz-number64 ">"]: RFC 9051 (appendix E item 1) widened RFC 3501's 32-bit numbers;
 * accepting the wider form from every client costs nothing (messages are far smaller anyway).
 */
function partial(d: ImapDecoder): PartialRange | null {
  if (!d.accept('<')) return null;
  const origin = d.number64();
  d.expect('.');
  const count = d.number64();
  if (count === 0) d.fail('expected non-zero number');
  d.expect('>');
  return { origin, count };
}

/** One fetch-att (no macros). */
export function fetchAtt(d: ImapDecoder): FetchItem {
  return attFromName(d, attName(d));
}

/**
 * The att list of FETCH after its SP: "ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")".
 * Macros are only valid alone (RFC 3501 section 9).
 */
export function fetchAttList(d: ImapDecoder): FetchItem[] {
  if (d.peekByte() === 0x28) {
    const items = d.list(() => fetchAtt(d));
    if (items.length === 0) d.fail('FETCH list is empty');
    return items;
  }
  const name = attName(d);
  const macro = MACROS[name];
  if (macro !== undefined && d.peekByte() !== 0x5b) return [...macro];
  return [attFromName(d, name)];
}

/** fetchAtt for a name already read by the caller. */
function attFromName(d: ImapDecoder, name: string): FetchItem {
  if (d.peekByte() === 0x5b) {
    d.accept('[');
    switch (name) {
      case 'BODY':
      case 'BODY.PEEK': {
        const s = section(d);
        return { type: 'section', name: 'BODY', section: s, partial: partial(d), peek: name === 'BODY.PEEK' };
      }
      case 'BINARY':
      case 'BINARY.PEEK': {
        const p = binarySection(d);
        return { type: 'binary', part: p, partial: partial(d), peek: name === 'BINARY.PEEK' };
      }
      case 'BINARY.SIZE':
        return { type: 'binarySize', part: binarySection(d) };
      default:
        return d.fail(`Unknown parameter: ${name}[`);
    }
  }
  const item = SIMPLE[name];
  if (item === undefined) return d.fail(`Unknown parameter: ${name}`);
  return item;
}

/** Header field names as the response names them (Dovecot upper-cases them and keeps atom vs string). */
function fieldLabel(field: string, quoted: boolean): string {
  const upper = field.toUpperCase();
  // Field names are printable ASCII without ":" (RFC 5322 section 2.2); anything an atom cannot carry is quoted.
  if (!quoted && /^[!#$&'+\-.0-9A-Z^_`|~]+$/.test(upper)) return upper;
  return `"${upper.replace(/["\\]/g, '\\$&')}"`;
}

/** The section spec as written inside the brackets of the response. */
export function sectionSpecText(section: SectionRef): string {
  const part = section.part.join('.');
  if (section.text === null) return part;
  let text: string;
  switch (section.text.kind) {
    case 'header':
      text = 'HEADER';
      break;
    case 'text':
      text = 'TEXT';
      break;
    case 'mime':
      text = 'MIME';
      break;
    case 'headerFields': {
      const quoted = section.text.quoted;
      const fields = section.text.fields.map((f, i) => fieldLabel(f, quoted?.[i] === true));
      text = `HEADER.FIELDS${section.text.not ? '.NOT' : ''} (${fields.join(' ')})`;
      break;
    }
  }
  return part === '' ? text : `${part}.${text}`;
}

/**
 * The name an item carries in the response: `BODY[1.TEXT]<0>` for a partial fetch (only the origin is
 * echoed, RFC 3501 section 7.4.2), `BODY[...]` for BODY.PEEK, `BINARY[1]`, `RFC822.TEXT`...
 */
export function itemLabel(item: FetchItem): string {
  switch (item.type) {
    case 'uid':
      return 'UID';
    case 'flags':
      return 'FLAGS';
    case 'internalDate':
      return 'INTERNALDATE';
    case 'size':
      return 'RFC822.SIZE';
    case 'envelope':
      return 'ENVELOPE';
    case 'body':
      return 'BODY';
    case 'bodyStructure':
      return 'BODYSTRUCTURE';
    case 'section': {
      if (item.name !== 'BODY') return item.name;
      const origin = item.partial === null ? '' : `<${item.partial.origin}>`;
      return `BODY[${sectionSpecText(item.section)}]${origin}`;
    }
    case 'binary': {
      const origin = item.partial === null ? '' : `<${item.partial.origin}>`;
      return `BINARY[${item.part.join('.')}]${origin}`;
    }
    case 'binarySize':
      return `BINARY.SIZE[${item.part.join('.')}]`;
    case 'saveDate':
      return 'SAVEDATE';
    case 'emailId':
      return 'EMAILID';
    case 'threadId':
      return 'THREADID';
  }
}

/** Whether an item needs the parsed metadata record. */
function itemNeedsMeta(item: FetchItem): boolean {
  switch (item.type) {
    case 'envelope':
    case 'body':
    case 'bodyStructure':
    case 'binary':
    case 'binarySize':
      return true;
    case 'section':
      // The whole message (BODY[], RFC822) is located by its size alone.
      return item.section.part.length > 0 || item.section.text !== null;
    default:
      return false;
  }
}

/**
 * Build the plan from decoded items: de-duplicated by response name (a PEEK and a non-PEEK of one section
 * answer once, and \Seen is still set), UID first for UID FETCH (RFC 3501 section 6.4.8 requires UID in
 * every UID FETCH response).
 */
export function buildFetchPlan(items: readonly FetchItem[], options: { readonly uid: boolean }): FetchPlan {
  const out: FetchItem[] = [];
  const seen = new Set<string>();
  let setsSeen = false;
  if (options.uid) {
    out.push({ type: 'uid' });
    seen.add('UID');
  }
  for (const item of items) {
    if ((item.type === 'section' || item.type === 'binary') && !item.peek) setsSeen = true;
    const label = itemLabel(item);
    if (seen.has(label)) continue;
    seen.add(label);
    out.push(item);
  }
  const extensions = new Set<string>();
  for (const item of out) {
    const ext = itemExtension(item);
    if (ext !== null) extensions.add(ext);
  }
  return {
    items: out,
    extensions,
    needsMeta: out.some(itemNeedsMeta),
    needsBody: out.some((i) => i.type === 'section' || i.type === 'binary' || i.type === 'binarySize'),
    setsSeen,
    hasFlags: seen.has('FLAGS'),
  };
}
