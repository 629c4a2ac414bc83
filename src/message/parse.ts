/**
 * The MIME walker: raw message bytes in, a MIME tree with byte offsets out (RFC 2045, RFC 2046).
 *
 * Written here rather than taken from a library because none of the available parsers (mailparser,
 * libmime, postal-mime) keeps the byte offsets of every part, which BODY[n], BINARY[n], BODYSTRUCTURE sizes
 * and parse-once storage all need. Tolerant the way Dovecot is: bare LF, missing final boundary, boundaries
 * that are prefixes of each other, header-only messages, duplicate Content-Type (the first wins), broken
 * parameters, arbitrary 8-bit bytes. It never throws; nesting deeper than MAX_MIME_DEPTH becomes opaque.
 */
import { parseHeaderBlock, firstField, unfold, lineEnd } from './header.ts';
import type { HeaderField } from './header.ts';
import { parseContentType, parseDisposition, parseEncoding, parseLanguage } from './params.ts';
import type { EnvelopeFields, MessageMeta, MimePart, MimePartKind } from './types.ts';

/** Current MessageMeta format version. */
export const META_VERSION = 1;

/**
 * Nesting deeper than this is not parsed: the part becomes an opaque leaf. Dovecot uses the same limit
 * (message_parser max_nested_mime_parts = 100); it bounds recursion and the record size on hostile input.
 */
export const MAX_MIME_DEPTH = 100;

/** Parts beyond this count are not split further (Dovecot's max_total_mime_parts is 10000): bounds work and record size. */
export const MAX_MIME_PARTS = 10000;

const LF = 0x0a;
const DASH = 0x2d;

interface WalkState {
  readonly buf: Buffer;
  parts: number;
}

/**
 * Count body lines as Dovecot does: the number of LFs. A last line without LF (before a boundary, whose
 * CRLF belongs to the boundary) does not count; Dovecot reports `hello` before `--b` as 0 lines.
 */
function countLines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  let i = buf.indexOf(LF, start);
  while (i >= 0 && i < end) {
    n++;
    i = buf.indexOf(LF, i + 1);
  }
  return n;
}

function trimmed(value: string | null): string | null {
  if (value === null) return null;
  return unfold(value).replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The ENVELOPE source fields of a header. */
export function envelopeFields(fields: readonly HeaderField[]): EnvelopeFields {
  return {
    date: firstField(fields, 'date'),
    subject: firstField(fields, 'subject'),
    from: firstField(fields, 'from'),
    sender: firstField(fields, 'sender'),
    replyTo: firstField(fields, 'reply-to'),
    to: firstField(fields, 'to'),
    cc: firstField(fields, 'cc'),
    bcc: firstField(fields, 'bcc'),
    inReplyTo: firstField(fields, 'in-reply-to'),
    messageId: firstField(fields, 'message-id'),
  };
}

/**
 * Find boundary lines (RFC 2046 section 5.1.1) in [start, end): returns the offsets of every line that
 * starts with `--boundary` followed by `--`, whitespace or the line end, and whether each is the close
 * delimiter. Exact matching keeps a boundary that is a prefix of another from matching the longer one.
 */
function findBoundaries(buf: Buffer, start: number, end: number, boundary: Buffer): Array<{ line: number; next: number; close: boolean }> {
  const found: Array<{ line: number; next: number; close: boolean }> = [];
  let pos = start;
  while (pos < end) {
    const next = lineEnd(buf, pos, end);
    if (buf[pos] === DASH && buf[pos + 1] === DASH && next - pos >= boundary.length + 2 &&
        buf.compare(boundary, 0, boundary.length, pos + 2, pos + 2 + boundary.length) === 0) {
      let p = pos + 2 + boundary.length;
      let close = false;
      if (p + 1 < next && buf[p] === DASH && buf[p + 1] === DASH) { close = true; p += 2; }
      let ok = true;
      for (; p < next; p++) {
        const c = buf[p];
        if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== LF) { ok = false; break; }
      }
      if (ok) {
        found.push({ line: pos, next, close });
        if (close) break;
      }
    }
    pos = next;
  }
  return found;
}

/** The offset where the line ending before `line` starts (the CRLF belongs to the boundary). */
function beforeNewline(buf: Buffer, line: number, floor: number): number {
  let p = line;
  if (p > floor && buf[p - 1] === LF) {
    p--;
    if (p > floor && buf[p - 1] === 0x0d) p--;
  }
  return p;
}

function parseEntity(
  st: WalkState,
  start: number,
  end: number,
  depth: number,
  defaultType: readonly [string, string],
): MimePart {
  st.parts++;
  const buf = st.buf;
  const { fields, headerEnd } = parseHeaderBlock(buf, start, end);
  const ctRaw = firstField(fields, 'content-type');
  const ct = ctRaw === null ? null : parseContentType(ctRaw);
  const type = ct?.type ?? defaultType[0];
  const subtype = ct?.subtype ?? defaultType[1];
  const params = ct?.params ?? [];
  const encRaw = firstField(fields, 'content-transfer-encoding');
  const encoding = encRaw === null ? null : parseEncoding(encRaw);
  const dispRaw = firstField(fields, 'content-disposition');
  const langRaw = firstField(fields, 'content-language');
  const ltype = type.toLowerCase();
  const lsub = subtype.toLowerCase();
  const lenc = (encoding ?? '7bit').toLowerCase();
  const bodyStart = headerEnd;
  let kind: MimePartKind = 'leaf';
  let children: MimePart[] = [];
  let message: MimePart['message'] = null;
  const canNest = depth < MAX_MIME_DEPTH && st.parts < MAX_MIME_PARTS;
  const boundary = params.find((p) => p[0] === 'boundary')?.[1];

  if (ltype === 'multipart' && canNest) {
    kind = 'multipart';
    if (boundary !== undefined && boundary !== '') {
      const b = Buffer.from(boundary, 'latin1');
      const lines = findBoundaries(buf, bodyStart, end, b);
      const childDefault: readonly [string, string] = lsub === 'digest' ? ['message', 'rfc822'] : ['text', 'plain'];
      for (let i = 0; i < lines.length; i++) {
        if (lines[i].close) break;
        if (st.parts >= MAX_MIME_PARTS) break;
        const childStart = lines[i].next;
        const childEnd = i + 1 < lines.length ? beforeNewline(buf, lines[i + 1].line, childStart) : end;
        children.push(parseEntity(st, childStart, Math.max(childStart, childEnd), depth + 1, childDefault));
      }
    }
  } else if (ltype === 'message' && (lsub === 'rfc822' || lsub === 'global') && canNest &&
             lenc !== 'base64' && lenc !== 'quoted-printable') {
    // RFC 2046 section 5.2.1: an encoded message/rfc822 is not a message we can walk; keep it opaque.
    kind = 'message';
    const inner = parseEntity(st, bodyStart, end, depth + 1, ['text', 'plain']);
    const innerHeader = parseHeaderBlock(buf, bodyStart, inner.bodyStart).fields;
    message = { envelope: envelopeFields(innerHeader), body: inner };
  }
  if (kind === 'multipart' && children.length === 0) children = [];
  const disp = dispRaw === null ? null : parseDisposition(dispRaw);
  return {
    headerStart: start,
    headerEnd,
    bodyStart,
    bodyEnd: end,
    kind,
    type,
    subtype,
    explicitType: ct !== null,
    params,
    id: trimmed(firstField(fields, 'content-id')),
    description: trimmed(firstField(fields, 'content-description')),
    encoding,
    md5: trimmed(firstField(fields, 'content-md5')),
    disposition: disp,
    language: langRaw === null ? null : parseLanguage(langRaw),
    location: trimmed(firstField(fields, 'content-location')),
    lines: kind === 'multipart' ? 0 : countLines(buf, bodyStart, end),
    children,
    message,
  };
}

/** Parse a raw message once. Never throws, whatever the input. */
export function parseMessage(raw: Buffer): MessageMeta {
  const st: WalkState = { buf: raw, parts: 0 };
  const root = parseEntity(st, 0, raw.length, 0, ['text', 'plain']);
  const header = Buffer.from(raw.subarray(0, root.bodyStart));
  return {
    version: META_VERSION,
    size: raw.length,
    header,
    envelope: envelopeFields(parseHeaderBlock(raw, 0, root.bodyStart).fields),
    root,
  };
}
