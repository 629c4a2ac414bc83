/**
 * The stored form of MessageMeta: a compact binary record (varints and length-prefixed latin1 strings),
 * about a tenth of the size of the JSON equivalent. Layout: "MRM" magic, version octet, size, top-level
 * header block, then the part tree depth first. The top-level envelope is not stored: it is re-derived from
 * the stored header block, which the record keeps anyway. decodeMeta throws a clear Error on a corrupt record.
 */
import { parseHeaderFields } from './header.ts';
import { envelopeFields, META_VERSION } from './parse.ts';
import type { EnvelopeFields, MessageMeta, MimeParam, MimePart, MimePartKind } from './types.ts';

const MAGIC = Buffer.from('MRM');
const KINDS: readonly MimePartKind[] = ['leaf', 'multipart', 'message'];
const ENVELOPE_KEYS = ['date', 'subject', 'from', 'sender', 'replyTo', 'to', 'cc', 'bcc', 'inReplyTo', 'messageId'] as const;

/** Error thrown by decodeMeta for a record it cannot read. */
export class CorruptMetaError extends Error {
  constructor(reason: string) {
    super(`corrupt MessageMeta record: ${reason}`);
    this.name = 'CorruptMetaError';
  }
}

class Writer {
  private chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafe(1024);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.len));
    this.cur = Buffer.allocUnsafe(Math.max(1024, n));
    this.len = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.cur[this.len++] = b;
  }

  uint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.cur[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.cur[this.len++] = n;
  }

  bytes(b: Buffer): void {
    this.uint(b.length);
    this.ensure(b.length);
    b.copy(this.cur, this.len);
    this.len += b.length;
  }

  /** A nullable binary string: length + 1, 0 for null. */
  str(s: string | null): void {
    if (s === null) {
      this.uint(0);
      return;
    }
    this.uint(s.length + 1);
    this.ensure(s.length);
    this.len += this.cur.write(s, this.len, 'latin1');
  }

  done(): Buffer {
    this.chunks.push(this.cur.subarray(0, this.len));
    return Buffer.concat(this.chunks);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}

  byte(): number {
    if (this.pos >= this.b.length) throw new CorruptMetaError('truncated');
    return this.b[this.pos++];
  }

  uint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const c = this.byte();
      n += (c & 0x7f) * mul;
      if (c < 0x80) return n;
      mul *= 0x80;
    }
    throw new CorruptMetaError('bad varint');
  }

  bytes(): Buffer {
    const n = this.uint();
    if (this.pos + n > this.b.length) throw new CorruptMetaError('truncated bytes');
    const out = Buffer.from(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  str(): string | null {
    const n = this.uint();
    if (n === 0) return null;
    if (this.pos + n - 1 > this.b.length) throw new CorruptMetaError('truncated string');
    const s = this.b.toString('latin1', this.pos, this.pos + n - 1);
    this.pos += n - 1;
    return s;
  }

  reqStr(): string {
    const s = this.str();
    if (s === null) throw new CorruptMetaError('missing string');
    return s;
  }

  end(): boolean {
    return this.pos === this.b.length;
  }
}

function writeParams(w: Writer, params: readonly MimeParam[]): void {
  w.uint(params.length);
  for (const [k, v] of params) {
    w.str(k);
    w.str(v);
  }
}

function readParams(r: Reader): MimeParam[] {
  const n = r.uint();
  const out: MimeParam[] = [];
  for (let i = 0; i < n; i++) out.push([r.reqStr(), r.reqStr()]);
  return out;
}

function writePart(w: Writer, p: MimePart): void {
  w.uint(p.headerStart);
  w.uint(p.bodyStart - p.headerStart);
  w.uint(p.bodyEnd - p.bodyStart);
  w.byte(KINDS.indexOf(p.kind) | (p.explicitType ? 0x10 : 0));
  w.str(p.type);
  w.str(p.subtype);
  writeParams(w, p.params);
  w.str(p.id);
  w.str(p.description);
  w.str(p.encoding);
  w.str(p.md5);
  w.str(p.location);
  if (p.disposition === null) w.uint(0);
  else {
    w.uint(1);
    w.str(p.disposition.type);
    writeParams(w, p.disposition.params);
  }
  if (p.language === null) w.uint(0);
  else {
    w.uint(p.language.length + 1);
    for (const l of p.language) w.str(l);
  }
  w.uint(p.lines);
  w.uint(p.children.length);
  for (const c of p.children) writePart(w, c);
  if (p.message !== null) {
    for (const k of ENVELOPE_KEYS) w.str(p.message.envelope[k]);
    writePart(w, p.message.body);
  }
}

function readPart(r: Reader, depth: number): MimePart {
  if (depth > 10_000) throw new CorruptMetaError('nesting too deep');
  const headerStart = r.uint();
  const bodyStart = headerStart + r.uint();
  const bodyEnd = bodyStart + r.uint();
  const flags = r.byte();
  const kind = KINDS[flags & 0x0f];
  if (kind === undefined) throw new CorruptMetaError('bad part kind');
  const type = r.reqStr();
  const subtype = r.reqStr();
  const params = readParams(r);
  const id = r.str();
  const description = r.str();
  const encoding = r.str();
  const md5 = r.str();
  const location = r.str();
  const disposition = r.uint() === 0 ? null : { type: r.reqStr(), params: readParams(r) };
  const nLang = r.uint();
  let language: string[] | null = null;
  if (nLang > 0) {
    language = [];
    for (let i = 1; i < nLang; i++) language.push(r.reqStr());
  }
  const lines = r.uint();
  const nChildren = r.uint();
  const children: MimePart[] = [];
  for (let i = 0; i < nChildren; i++) children.push(readPart(r, depth + 1));
  let message: MimePart['message'] = null;
  if (kind === 'message') {
    const env: Record<string, string | null> = {};
    for (const k of ENVELOPE_KEYS) env[k] = r.str();
    message = { envelope: env as unknown as EnvelopeFields, body: readPart(r, depth + 1) };
  }
  return {
    headerStart, headerEnd: bodyStart, bodyStart, bodyEnd, kind, type, subtype,
    explicitType: (flags & 0x10) !== 0, params, id, description, encoding, md5, disposition, language,
    location, lines, children, message,
  };
}

/** Serialize a record for storage. */
export function encodeMeta(meta: MessageMeta): Buffer {
  const w = new Writer();
  for (const b of MAGIC) w.byte(b);
  w.byte(meta.version);
  w.uint(meta.size);
  w.bytes(meta.header);
  writePart(w, meta.root);
  return w.done();
}

/** Read a stored record back. Throws CorruptMetaError when the bytes are not a record this version reads. */
export function decodeMeta(bytes: Buffer): MessageMeta {
  if (bytes.length < 4 || bytes.compare(MAGIC, 0, 3, 0, 3) !== 0) throw new CorruptMetaError('bad magic');
  const version = bytes[3];
  if (version !== META_VERSION) throw new CorruptMetaError(`unsupported version ${version}`);
  const r = new Reader(bytes);
  r.pos = 4;
  const size = r.uint();
  const header = r.bytes();
  const root = readPart(r, 0);
  if (!r.end()) throw new CorruptMetaError('trailing bytes');
  return withLazyEnvelope({ version, size, header, root });
}

/**
 * The record with `envelope` derived from the header block on first read, then kept: re-parsing the header
 * costs more than the rest of decoding, and most reads (BODYSTRUCTURE, sections, RFC822.SIZE) never look at
 * the envelope. The property is enumerable, so copies and comparisons see it like a plain field.
 */
function withLazyEnvelope(fields: Omit<MessageMeta, 'envelope'>): MessageMeta {
  let envelope: EnvelopeFields | undefined;
  const { version, size, header, root } = fields;
  // A getter in the literal (not defineProperty afterwards) keeps one object shape for every record.
  return {
    version,
    size,
    header,
    get envelope(): EnvelopeFields {
      return (envelope ??= envelopeFields(parseHeaderFields(header)));
    },
    root,
  };
}
