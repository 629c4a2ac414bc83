/**
 * Recursive-descent decoder over ONE complete command (RFC 3501 section 9 ABNF), as the receiver hands it
 * over: the command's lines with every literal's bytes inline right after its `{n}\r\n` (or `{n+}\r\n`),
 * and without the final CRLF. Method names follow the ABNF rule they read.
 *
 * Every failure is a DecodeError, which the dispatcher answers with a tagged BAD.
 */
import { normalizeMailboxName } from '../../core/mailbox-name.ts';
import { canonicalFlag } from '../../core/flags.ts';
import { DateTimeError, parseImapDate, parseImapDateTime } from './date-time.ts';
import { decodeMutf7, Mutf7Error } from './mutf7.ts';
import { parseSequenceSet, SequenceSetError, type SequenceSet } from './sequence-set.ts';

/** Malformed command arguments: answered with BAD (or `BAD [PARSE]`-like text) by the dispatcher. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    message: string,
    /** Byte offset in the command where decoding failed. */
    readonly position = -1,
  ) {
    super(message);
  }
}

/** Deepest parenthesized nesting accepted (SEARCH and FETCH sections nest a few levels at most). */
export const MAX_NESTING_DEPTH = 32;
/** Most items in one parenthesized list (flag lists, FETCH items, SEARCH keys): bounds hostile input. */
export const MAX_LIST_ITEMS = 10_000;
/** Largest uint64 value IMAP numbers may carry that JS represents exactly (RFC 7162 mod-sequence). */
export const MAX_NUMBER64 = Number.MAX_SAFE_INTEGER;
/** Largest `number` (RFC 3501: unsigned 32-bit integer). */
export const MAX_NUMBER32 = 4294967295;

/** Decoder options. */
export interface DecoderOptions {
  /** Mailbox names are UTF-8 on the wire (UTF8=ACCEPT / IMAP4rev2), not modified UTF-7. */
  readonly utf8?: boolean;
}

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;

// atom-specials (RFC 3501 section 9): ( ) { SP CTL % * " \ ]. 8-bit bytes are not CHARs either.
const ATOM_CHAR = new Uint8Array(256);
for (let b = 0x21; b < 0x7f; b++) ATOM_CHAR[b] = 1;
for (const c of '(){%*"\\]') ATOM_CHAR[c.charCodeAt(0)] = 0;

/** Whether a byte is an ATOM-CHAR. */
export function isAtomChar(byte: number): boolean {
  return ATOM_CHAR[byte] === 1;
}

/** Whether a byte is an ASTRING-CHAR (ATOM-CHAR or resp-specials `]`). */
export function isAstringChar(byte: number): boolean {
  return ATOM_CHAR[byte] === 1 || byte === 0x5d;
}

/** Whether a byte is a list-char (ATOM-CHAR, list-wildcards or resp-specials), used by LIST patterns. */
export function isListChar(byte: number): boolean {
  return ATOM_CHAR[byte] === 1 || byte === 0x25 || byte === 0x2a || byte === 0x5d;
}

/** The decoder. Each method consumes exactly its production or throws DecodeError. */
export class ImapDecoder {
  private pos = 0;
  private depth = 0;
  readonly utf8: boolean;

  constructor(
    private readonly buf: Buffer,
    options: DecoderOptions = {},
  ) {
    this.utf8 = options.utf8 === true;
  }

  /** Current byte offset. */
  get position(): number {
    return this.pos;
  }

  /** Whether every byte has been consumed. */
  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Throw a DecodeError at the current position. */
  fail(message: string): never {
    throw new DecodeError(message, this.pos);
  }

  /** The next byte without consuming it, -1 at the end. */
  peekByte(): number {
    return this.pos < this.buf.length ? this.buf[this.pos] : -1;
  }

  /** Exactly one SP. */
  sp(): void {
    if (this.peekByte() !== SP) this.fail('expected SP');
    this.pos++;
  }

  /** Assert that the whole command has been consumed. */
  end(): void {
    if (this.pos !== this.buf.length) this.fail('unexpected characters at end of command');
  }

  /** Consume `text` if it comes next (ASCII case-insensitive). */
  accept(text: string): boolean {
    const n = text.length;
    if (this.pos + n > this.buf.length) return false;
    for (let i = 0; i < n; i++) {
      const a = this.buf[this.pos + i];
      const b = text.charCodeAt(i);
      if (a !== b && lower(a) !== lower(b)) return false;
    }
    this.pos += n;
    return true;
  }

  /** Consume `text` or fail. */
  expect(text: string): void {
    if (!this.accept(text)) this.fail(`expected "${text}"`);
  }

  /** Read a run of bytes accepted by `pred` (possibly empty). */
  private run(pred: (b: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.buf.length && pred(this.buf[this.pos])) this.pos++;
    return this.buf.toString('latin1', start, this.pos);
  }

  /** atom = 1*ATOM-CHAR. */
  atom(): string {
    const s = this.run(isAtomChar);
    if (s.length === 0) this.fail('expected atom');
    return s;
  }

  /** tag = 1*<any ASTRING-CHAR except "+">. */
  tag(): string {
    const s = this.run((b) => isAstringChar(b) && b !== 0x2b);
    if (s.length === 0) this.fail('expected tag');
    return s;
  }

  /** number = 1*DIGIT, unsigned 32-bit. */
  number(): number {
    return this.digits(MAX_NUMBER32);
  }

  /** nz-number: a number other than zero. */
  nzNumber(): number {
    const at = this.pos;
    const n = this.number();
    if (n === 0) throw new DecodeError('expected non-zero number', at);
    return n;
  }

  /** number64 (RFC 9051): up to 2^63-1; limited here to what a JS number holds exactly. */
  number64(): number {
    return this.digits(MAX_NUMBER64);
  }

  private digits(max: number): number {
    const s = this.run((b) => b >= 0x30 && b <= 0x39);
    if (s.length === 0) this.fail('expected number');
    if (s.length > 16 || Number(s) > max) this.fail('number out of range');
    return Number(s);
  }

  /** string = quoted / literal, as raw bytes. */
  stringBytes(): Buffer {
    const b = this.peekByte();
    if (b === DQUOTE) return this.quoted();
    if (b === LBRACE) return this.literal();
    return this.fail('expected string');
  }

  /** string, decoded as UTF-8. */
  string(): string {
    return this.stringBytes().toString('utf8');
  }

  /** Whether a string (quoted or literal) comes next. */
  peekString(): boolean {
    const b = this.peekByte();
    return b === DQUOTE || b === LBRACE;
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE, with `\"` and `\\` escapes. */
  private quoted(): Buffer {
    this.pos++; // opening quote
    const chunks: number[] = [];
    for (;;) {
      if (this.pos >= this.buf.length) this.fail('unterminated quoted string');
      const b = this.buf[this.pos++];
      if (b === DQUOTE) break;
      if (b === BACKSLASH) {
        const e = this.pos < this.buf.length ? this.buf[this.pos++] : -1;
        if (e !== DQUOTE && e !== BACKSLASH) this.fail('invalid escape in quoted string');
        chunks.push(e);
      } else if (b === 0x0d || b === 0x0a || b === 0) {
        this.fail('invalid character in quoted string');
      } else {
        // 8-bit bytes are tolerated here (UTF-8 quoted strings, RFC 6855); mailbox() validates names.
        chunks.push(b);
      }
    }
    return Buffer.from(chunks);
  }

  /** literal = "{" number ["+"] "}" CRLF *CHAR8; the receiver already put the bytes inline. */
  private literal(): Buffer {
    this.pos++; // {
    const n = this.number();
    this.accept('+');
    this.expect('}');
    this.expect('\r\n');
    if (this.pos + n > this.buf.length) this.fail('literal shorter than announced');
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return bytes;
  }

  /** astring = 1*ASTRING-CHAR / string. */
  astring(): string {
    return this.astringBytes().toString('utf8');
  }

  /** astring as raw bytes (passwords, SASL initial responses). */
  astringBytes(): Buffer {
    if (this.peekString()) return this.stringBytes();
    const start = this.pos;
    this.run(isAstringChar);
    if (this.pos === start) this.fail('expected astring');
    return this.buf.subarray(start, this.pos);
  }

  /** nstring = string / "NIL". */
  nstring(): string | null {
    if (this.peekString()) return this.string();
    const at = this.pos;
    const a = this.run(isAtomChar);
    if (a.toUpperCase() !== 'NIL') throw new DecodeError('expected string or NIL', at);
    return null;
  }

  /** "(" [item *(SP item)] ")", with the nesting and item-count limits. */
  list<T>(item: () => T): T[] {
    this.expect('(');
    if (++this.depth > MAX_NESTING_DEPTH) this.fail('nesting too deep');
    const out: T[] = [];
    if (!this.accept(')')) {
      for (;;) {
        if (out.length >= MAX_LIST_ITEMS) this.fail('too many items in list');
        out.push(item());
        if (this.accept(')')) break;
        this.sp();
      }
    }
    this.depth--;
    return out;
  }

  /** Enter one nesting level for productions that nest without list() (SEARCH parentheses). */
  nest<T>(inner: () => T): T {
    if (++this.depth > MAX_NESTING_DEPTH) this.fail('nesting too deep');
    try {
      return inner();
    } finally {
      this.depth--;
    }
  }

  /**
   * mailbox = "INBOX" / astring: modified UTF-7 decoded and validated (UTF-8 when the connection enabled
   * it), "INBOX" in any case normalized (RFC 3501 section 5.1).
   */
  mailbox(): string {
    const at = this.pos;
    return this.mailboxName(this.astringBytes(), at);
  }

  /** list-mailbox = 1*list-char / string: a LIST pattern, decoded like a mailbox name but not normalized. */
  listMailbox(): string {
    const at = this.pos;
    let raw: Buffer;
    if (this.peekString()) raw = this.stringBytes();
    else {
      const start = this.pos;
      this.run(isListChar);
      if (this.pos === start) this.fail('expected mailbox pattern');
      raw = this.buf.subarray(start, this.pos);
    }
    return this.decodeName(raw, at);
  }

  private decodeName(raw: Buffer, at: number): string {
    if (this.utf8) {
      const text = raw.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(raw)) throw new DecodeError('mailbox name is not valid UTF-8', at);
      return text;
    }
    try {
      return decodeMutf7(raw.toString('latin1'));
    } catch (err) {
      if (err instanceof Mutf7Error) throw new DecodeError(`invalid mailbox name: ${err.message}`, at);
      throw err;
    }
  }

  private mailboxName(raw: Buffer, at: number): string {
    return normalizeMailboxName(this.decodeName(raw, at));
  }

  /** sequence-set, or `$` (RFC 5182). */
  sequenceSet(): SequenceSet {
    const at = this.pos;
    const text = this.run((b) => (b >= 0x30 && b <= 0x39) || b === 0x3a || b === 0x2a || b === 0x2c || b === 0x24);
    try {
      return parseSequenceSet(text);
    } catch (err) {
      if (err instanceof SequenceSetError) throw new DecodeError(err.message, at);
      throw err;
    }
  }

  /** flag = "\Answered" / ... / flag-keyword / flag-extension; system flags canonicalized. */
  flag(): string {
    if (this.accept('\\')) return canonicalFlag('\\' + this.atom());
    return this.atom();
  }

  /** flag-list = "(" [flag *(SP flag)] ")". */
  flagList(): string[] {
    return this.list(() => this.flag());
  }

  /** date = date-text / DQUOTE date-text DQUOTE, returned as "YYYY-MM-DD". */
  date(): string {
    const at = this.pos;
    const text = this.accept('"') ? this.untilQuote() : this.run((b) => isAtomChar(b));
    try {
      return parseImapDate(text);
    } catch (err) {
      if (err instanceof DateTimeError) throw new DecodeError(err.message, at);
      throw err;
    }
  }

  /** date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
  dateTime(): Date {
    const at = this.pos;
    this.expect('"');
    const text = this.untilQuote();
    try {
      return parseImapDateTime(text);
    } catch (err) {
      if (err instanceof DateTimeError) throw new DecodeError(err.message, at);
      throw err;
    }
  }

  private untilQuote(): string {
    const text = this.run((b) => b !== DQUOTE && b !== 0x0d && b !== 0x0a);
    this.expect('"');
    return text;
  }

  /** The rest of the command as bytes (text arguments such as a SASL response line). */
  rest(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}
