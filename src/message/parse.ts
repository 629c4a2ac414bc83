/**
 * The MIME walker: raw message bytes in, a MIME tree with byte offsets out (RFC 2045, RFC 2046).
 *
 * Written here rather than taken from a library because neither of the available parsers (mailparser,
 * libmime's helpers) keeps the byte offsets of every part, which BODY[n], BINARY[n], BODYSTRUCTURE sizes
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
 * Entity nesting limit (the root is level 1): a multipart or message/rfc822 at this level is not walked
 * and becomes an opaque leaf (declared type kept; BODYSTRUCTURE shows it as application/octet-stream). Dovecot uses the same limit (message_parser
 * max_nested_mime_parts = 100); it bounds recursion and the record size on hostile input.
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

/** A boundary line that ended an entity: which enclosing multipart it belongs to and where it is. */
interface BoundaryHit {
  /** Index in the boundary stack (0 = outermost). */
  readonly level: number;
  /** Offset of the `--boundary` line and of the line after it. */
  readonly line: number;
  readonly next: number;
  readonly close: boolean;
}

/**
 * Is the line [pos, next) a delimiter of one of the enclosing multiparts? RFC 2046 section 5.1.1:
 * `--boundary`, optionally `--`, then only whitespace. The innermost boundary is tried first, as Dovecot
 * does; exact matching keeps a boundary that is a prefix of another from matching the longer one.
 */
function matchBoundary(buf: Buffer, pos: number, next: number, stack: readonly Buffer[]): BoundaryHit | null {
  if (stack.length === 0 || buf[pos] !== DASH || buf[pos + 1] !== DASH) return null;
  const ix = stackIndex(stack);
  // One lookup per line instead of one comparison per enclosing boundary: a hostile message with 99
  // nested multiparts and millions of `--` lines stays linear.
  const content = delimiterContent(buf, pos, next, ix.maxLength + 2);
  if (content === null) return null;
  const open = ix.levels.get(content);
  const close = content.endsWith('--') ? ix.levels.get(content.slice(0, -2)) : undefined;
  if (close !== undefined && (open === undefined || close > open)) return { level: close, line: pos, next, close: true };
  if (open !== undefined) return { level: open, line: pos, next, close: false };
  return null;
}

/**
 * The text of a `--...` line after the dashes, trailing whitespace removed (RFC 2046 section 5.1.1 allows
 * it after a delimiter); null when the line does not start with `--` or the text is longer than `max`.
 */
function delimiterContent(buf: Buffer, pos: number, next: number, max: number): string | null {
  if (buf[pos] !== DASH || buf[pos + 1] !== DASH) return null;
  let e = next;
  while (e > pos + 2) {
    const c = buf[e - 1];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== LF) break;
    e--;
  }
  if (e - pos - 2 > max) return null;
  return buf.toString('latin1', pos + 2, e);
}

/** Boundary string -> innermost level, per stack array (stacks are built once per multipart level). */
interface StackIndex {
  readonly levels: Map<string, number>;
  readonly maxLength: number;
}

const stackIndexes = new WeakMap<readonly Buffer[], StackIndex>();

function stackIndex(stack: readonly Buffer[]): StackIndex {
  let ix = stackIndexes.get(stack);
  if (ix === undefined) {
    const levels = new Map<string, number>();
    let maxLength = 0;
    // Later (inner) levels overwrite earlier ones: the innermost boundary wins, as in Dovecot.
    stack.forEach((b, level) => {
      levels.set(b.toString('latin1'), level);
      maxLength = Math.max(maxLength, b.length);
    });
    ix = { levels, maxLength };
    stackIndexes.set(stack, ix);
  }
  return ix;
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

/** Scan lines from `pos` for a delimiter of the stack; returns the hit or null at the end of input. */
function scanToBoundary(buf: Buffer, pos: number, end: number, stack: readonly Buffer[]): BoundaryHit | null {
  if (stack.length === 0) return null;
  while (pos < end) {
    const next = lineEnd(buf, pos, end);
    const hit = matchBoundary(buf, pos, next, stack);
    if (hit !== null) return hit;
    pos = next;
  }
  return null;
}

/** One parsed entity and the boundary line (of an enclosing multipart) that ended it, if any. */
interface Parsed {
  readonly part: MimePart;
  readonly hit: BoundaryHit | null;
  /** The entity's header fields (callers build envelopes from them without re-reading the header). */
  readonly fields: HeaderField[];
}

/** Header scan that stops at a blank line, the end, or an enclosing delimiter line (Dovecot does the same). */
function scanHeader(buf: Buffer, start: number, end: number, stack: readonly Buffer[]): { headerEnd: number; hit: BoundaryHit | null; blankAt: number } {
  let pos = start;
  while (pos < end) {
    const next = lineEnd(buf, pos, end);
    const len = next - pos;
    if ((len === 1 && buf[pos] === LF) || (len === 2 && buf[pos] === 0x0d && buf[pos + 1] === LF)) {
      return { headerEnd: next, hit: null, blankAt: pos };
    }
    const hit = matchBoundary(buf, pos, next, stack);
    if (hit !== null) return { headerEnd: pos, hit, blankAt: -1 };
    pos = next;
  }
  return { headerEnd: end, hit: null, blankAt: -1 };
}

function parseEntity(
  st: WalkState,
  start: number,
  stack: readonly Buffer[],
  depth: number,
  defaultType: readonly [string, string],
): Parsed {
  st.parts++;
  const buf = st.buf;
  const end = buf.length;
  const head = scanHeader(buf, start, end, stack);
  let headerEnd = head.headerEnd;
  const fields = parseHeaderBlock(buf, start, headerEnd).fields;
  const ctRaw = firstField(fields, 'content-type');
  const ct = ctRaw === null ? null : parseContentType(ctRaw);
  // Dovecot shows an unparseable Content-Type as "" "" with no parameters; the default applies only when
  // the header is absent.
  const type = ct?.type ?? (ctRaw === null ? defaultType[0] : '');
  const subtype = ct?.subtype ?? (ctRaw === null ? defaultType[1] : '');
  const params = ct?.params ?? [];
  const encRaw = firstField(fields, 'content-transfer-encoding');
  const encoding = encRaw === null ? null : parseEncoding(encRaw);
  const dispRaw = firstField(fields, 'content-disposition');
  const langRaw = firstField(fields, 'content-language');
  const ltype = type.toLowerCase();
  const lsub = subtype.toLowerCase();
  const boundary = params.find((p) => p[0].toLowerCase() === 'boundary')?.[1];
  let headHit = head.hit;
  if (head.blankAt >= 0 && headerEnd < end && stack.length > 0) {
    // A blank line directly followed by an enclosing delimiter is that delimiter's CRLF (RFC 2046
    // section 5.1.1): the header ends before it and the body is empty, as in Dovecot. The part's own
    // boundary is tried first (innermost wins).
    const nextEnd = lineEnd(buf, headerEnd, end);
    const ownText = ltype === 'multipart' && boundary !== undefined && boundary !== '' ? delimiterContent(buf, headerEnd, nextEnd, boundary.length + 2) : null;
    const own = ownText !== null && (ownText === boundary || ownText === `${boundary}--`);
    const after = own ? null : matchBoundary(buf, headerEnd, nextEnd, stack);
    if (after !== null) {
      headerEnd = head.blankAt;
      headHit = after;
    }
  }
  const bodyStart = headerEnd;
  let kind: MimePartKind = 'leaf';
  const children: MimePart[] = [];
  let message: MimePart['message'] = null;
  let bodyEnd: number;
  let hit: BoundaryHit | null;
  // Entities at level MAX_MIME_DEPTH (the root is level 1) are not walked, as in Dovecot.
  const canNest = depth + 1 < MAX_MIME_DEPTH && st.parts < MAX_MIME_PARTS;
  const opaque = !canNest && (ltype === 'multipart' || (ltype === 'message' && lsub === 'rfc822'));

  if (headHit !== null) {
    // The entity ended inside its header: no body. Dovecot keeps the line end before the delimiter in the
    // header in this case, and so do we (the part's size includes it).
    bodyEnd = headerEnd;
    hit = headHit;
    if (ltype === 'multipart' && !opaque) kind = 'multipart';
  } else if (ltype === 'multipart' && canNest && boundary !== undefined && boundary !== '') {
    kind = 'multipart';
    const own = stack.length;
    const inner = [...stack, Buffer.from(boundary, 'latin1')];
    const childDefault: readonly [string, string] = lsub === 'digest' ? ['message', 'rfc822'] : ['text', 'plain'];
    // Preamble, then children separated by our delimiter, then the epilogue (RFC 2046 section 5.1.1).
    hit = scanToBoundary(buf, bodyStart, end, inner);
    while (hit !== null && hit.level === own && !hit.close && st.parts < MAX_MIME_PARTS) {
      const child = parseEntity(st, hit.next, inner, depth + 1, childDefault);
      children.push(child.part);
      hit = child.hit;
    }
    let floor = bodyStart;
    if (hit !== null && hit.level === own) {
      // Close delimiter (or the part limit): the epilogue runs to an enclosing delimiter or the end. The
      // close delimiter's own line end stays in this part even when the epilogue is empty (as in Dovecot).
      floor = hit.next;
      hit = hit.close ? scanToBoundary(buf, hit.next, end, stack) : null;
    }
    bodyEnd = hit === null ? end : beforeNewline(buf, hit.line, floor);
  } else if (ltype === 'message' && lsub === 'rfc822' && canNest) {
    // Dovecot walks message/rfc822 whatever its Content-Transfer-Encoding claims (RFC 2046 section 5.2.1
    // allows only 7bit, 8bit and binary); message/global is left opaque, as Dovecot 2.3 does.
    kind = 'message';
    const inner = parseEntity(st, bodyStart, stack, depth + 1, ['text', 'plain']);
    message = { envelope: envelopeFields(inner.fields), body: inner.part };
    hit = inner.hit;
    bodyEnd = inner.part.bodyEnd;
  } else {
    if (ltype === 'multipart' && !opaque) kind = 'multipart';
    hit = scanToBoundary(buf, bodyStart, end, stack);
    bodyEnd = hit === null ? end : beforeNewline(buf, hit.line, bodyStart);
  }
  const disp = dispRaw === null ? null : parseDisposition(dispRaw);
  const part: MimePart = {
    headerStart: start,
    headerEnd,
    bodyStart,
    bodyEnd,
    kind,
    // A container too deep (or past the part limit) to be walked stays a 'leaf' with its declared type;
    // BODYSTRUCTURE presents it as application/octet-stream, as Dovecot does.
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
    lines: kind === 'multipart' ? 0 : countLines(buf, bodyStart, bodyEnd),
    children,
    message,
  };
  return { part, hit, fields };
}

/** Parse a raw message once. Never throws, whatever the input. */
export function parseMessage(raw: Buffer): MessageMeta {
  const st: WalkState = { buf: raw, parts: 0 };
  const { part: root, fields } = parseEntity(st, 0, [], 0, ['text', 'plain']);
  const header = Buffer.from(raw.subarray(0, root.bodyStart));
  return { version: META_VERSION, size: raw.length, header, envelope: envelopeFields(fields), root };
}
