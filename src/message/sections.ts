/**
 * FETCH sections (RFC 3501 section 6.4.5, RFC 9051 section 6.4.5, RFC 3516 BINARY) planned from the
 * metadata record alone: the IMAP layer gets byte ranges and reads only those bytes.
 *
 * Part numbers: a multipart's children are 1..n; a message/rfc822 part's numbers address the parts of the
 * encapsulated message (its body if that is not multipart, as part 1); a non-multipart entity has only a
 * part 1, itself. A part that does not exist yields an empty result, as Dovecot does.
 */
import { decodeTransfer, isKnownTransfer } from './decode.ts';
import { lineEnd } from './header.ts';
import type { MessageMeta, MimePart } from './types.ts';

/** A parsed section spec: `BODY[1.2.HEADER.FIELDS (A B)]` is part [1,2], specifier HEADER.FIELDS, fields [A,B]. */
export interface SectionSpec {
  readonly part: readonly number[];
  readonly specifier: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME' | null;
  readonly fields?: readonly string[];
}

/** How to produce a section from the raw message. */
export type SectionPlan =
  /** Bytes [start, end) of the raw message. */
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  /** Filter the header bytes [start, end) with filterHeaderFields(). */
  | { readonly kind: 'headerFields'; readonly start: number; readonly end: number; readonly fields: readonly string[]; readonly not: boolean }
  /** Nonexistent part etc.: an empty string, per RFC 3501 / Dovecot. */
  | { readonly kind: 'empty' };

/** How to produce BINARY[part] (RFC 3516). */
export type BinaryPlan =
  | { readonly kind: 'range'; readonly start: number; readonly end: number; readonly encoding: string }
  /** RFC 3516 section 4.3: the server cannot decode this Content-Transfer-Encoding: NO [UNKNOWN-CTE]. */
  | { readonly kind: 'unknownCte' }
  | { readonly kind: 'empty' };

const EMPTY = { kind: 'empty' } as const;

/** Find the part a part path names, or null. The empty path is the message itself (the root part). */
export function findPart(meta: MessageMeta, path: readonly number[]): MimePart | null {
  let cur: MimePart = meta.root;
  let top = true;
  for (const n of path) {
    if (!Number.isInteger(n) || n < 1) return null;
    // The message itself is not "entered" like an encapsulated one: part 1 of a top-level message/rfc822
    // body is that body (the encapsulated message), and 1.1 is inside it.
    const container: MimePart = !top && cur.kind === 'message' && cur.message !== null ? cur.message.body : cur;
    top = false;
    if (container.kind === 'multipart') {
      const child = container.children[n - 1];
      if (child === undefined) return null;
      cur = child;
    } else {
      if (n !== 1) return null;
      cur = container;
    }
  }
  return cur;
}

/** Plan a BODY[section] / BODY.PEEK[section] / RFC822.* fetch. Never touches the body. */
export function planSection(meta: MessageMeta, spec: SectionSpec): SectionPlan {
  const fields = spec.fields ?? [];
  if (spec.part.length === 0) {
    const root = meta.root;
    switch (spec.specifier) {
      case null: return { kind: 'range', start: 0, end: meta.size };
      case 'HEADER': return { kind: 'range', start: 0, end: root.bodyStart };
      case 'TEXT': return { kind: 'range', start: root.bodyStart, end: root.bodyEnd };
      case 'HEADER.FIELDS': return { kind: 'headerFields', start: 0, end: root.bodyStart, fields, not: false };
      case 'HEADER.FIELDS.NOT': return { kind: 'headerFields', start: 0, end: root.bodyStart, fields, not: true };
      default: return EMPTY; // MIME needs a part number (RFC 3501 section 6.4.5)
    }
  }
  const p = findPart(meta, spec.part);
  if (p === null) return EMPTY;
  switch (spec.specifier) {
    case null: return { kind: 'range', start: p.bodyStart, end: p.bodyEnd };
    case 'MIME': return { kind: 'range', start: p.headerStart, end: p.headerEnd };
    default: break;
  }
  // HEADER, HEADER.FIELDS[.NOT] and TEXT with a part number address an encapsulated message.
  if (p.kind !== 'message' || p.message === null) return EMPTY;
  const inner = p.message.body;
  switch (spec.specifier) {
    case 'HEADER': return { kind: 'range', start: inner.headerStart, end: inner.headerEnd };
    case 'TEXT': return { kind: 'range', start: inner.bodyStart, end: inner.bodyEnd };
    case 'HEADER.FIELDS': return { kind: 'headerFields', start: inner.headerStart, end: inner.headerEnd, fields, not: false };
    case 'HEADER.FIELDS.NOT': return { kind: 'headerFields', start: inner.headerStart, end: inner.headerEnd, fields, not: true };
    default: return EMPTY;
  }
}

/**
 * The header fields of `header` named in `fields` (or not named, with `not`), matched case-insensitively,
 * each with its continuation lines, in their original order, followed by the blank line that RFC 3501
 * section 6.4.5 says every header fetch includes.
 */
export function filterHeaderFields(header: Buffer, fields: readonly string[], not: boolean): Buffer {
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  const out: Buffer[] = [];
  let pos = 0;
  let keep = false;
  let blank = false;
  while (pos < header.length) {
    const next = lineEnd(header, pos, header.length);
    const c = header[pos];
    if (c === 0x0d || c === 0x0a) {
      if (next - pos <= 2 && (next - pos === 1 || header[pos + 1] === 0x0a)) {
        blank = true; // the blank line
        break;
      }
    }
    if (c === 0x20 || c === 0x09) {
      if (keep) out.push(header.subarray(pos, next));
    } else {
      // A line without a colon is a (broken) field of its own: HEADER.FIELDS.NOT keeps it, as Dovecot does.
      const colon = header.indexOf(0x3a, pos);
      const name = header.toString('latin1', pos, colon < 0 || colon >= next ? next : colon).trim().toLowerCase();
      keep = wanted.has(name) !== not;
      if (keep) {
        const line = header.subarray(pos, next);
        // A last field without line end (header-only message) still ends with CRLF in the section.
        out.push(line[line.length - 1] === 0x0a ? line : Buffer.concat([line, Buffer.from('\r\n')]));
      }
    }
    pos = next;
  }
  // Dovecot leaves the blank line out of HEADER.FIELDS.NOT when the message has none (header-only message).
  if (blank || !not) out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/** Plan BINARY[part] / BINARY.SIZE[part] (RFC 3516). The empty path is the whole message, undecoded. */
export function planBinary(meta: MessageMeta, part: readonly number[]): BinaryPlan {
  if (part.length === 0) return { kind: 'range', start: 0, end: meta.size, encoding: '7bit' };
  const p = findPart(meta, part);
  if (p === null) return EMPTY;
  const encoding = (p.encoding ?? '7bit').toLowerCase();
  if (!isKnownTransfer(encoding)) return { kind: 'unknownCte' };
  return { kind: 'range', start: p.bodyStart, end: p.bodyEnd, encoding };
}

/** Bytes of a BINARY section from the raw part bytes of a plan (convenience for small parts). */
export function binaryContent(raw: Buffer, plan: BinaryPlan & { kind: 'range' }): Buffer {
  return decodeTransfer(raw.subarray(plan.start, plan.end), plan.encoding);
}

/**
 * BINARY.SIZE without decoding when the encoding is an identity (7bit, 8bit, binary); null when the
 * body must be decoded to know (base64, quoted-printable).
 */
export function binarySizeHint(plan: BinaryPlan & { kind: 'range' }): number | null {
  return plan.encoding === 'base64' || plan.encoding === 'quoted-printable' ? null : plan.end - plan.start;
}
