/**
 * Locating BODY[section] and BINARY[part] data in a message from its parse-once metadata (RFC 3501
 * section 6.4.5 part numbering), and the byte-level helpers FETCH needs: HEADER.FIELDS filtering, the
 * partial-fetch window, transfer decoding for BINARY (RFC 3516).
 */
import { decodeTransfer, isKnownTransfer } from '../../message/decode.ts';
import type { MessageMeta, MimePart } from '../../message/types.ts';
import type { PartialRange, SectionRef } from './plan.ts';

/** Where a section's bytes come from. */
export type SectionSource =
  /** Bytes [start, end) of the raw message. */
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  /** The header block in [start, end), filtered by field names (HEADER.FIELDS[.NOT]). */
  | {
      readonly kind: 'headerFields';
      readonly start: number;
      readonly end: number;
      readonly fields: readonly string[];
      readonly not: boolean;
    }
  /** Nothing: a part that does not exist, or HEADER/TEXT of a part that is not a message (Dovecot answers ""). */
  | { readonly kind: 'empty' };

const EMPTY: SectionSource = { kind: 'empty' };

/**
 * The MIME entity a part path names. The whole message, and each encapsulated message/rfc822, number
 * their parts from 1: a multipart's children, or the single body itself (part 1) when it is not a
 * multipart (RFC 3501 section 6.4.5). A message/rfc822 part's own sub-parts are those of the message it
 * encapsulates. Returns null when the path names nothing.
 */
export function locatePart(root: MimePart, path: readonly number[]): MimePart | null {
  let cur = root;
  let messageLike = true; // `cur` is a message (the root or an encapsulated one), not a part of one
  for (const n of path) {
    if (!messageLike && cur.kind === 'message') {
      if (cur.message === null) return null;
      cur = cur.message.body;
      messageLike = true;
    }
    if (cur.kind === 'multipart') {
      const child = cur.children[n - 1];
      if (child === undefined) return null;
      cur = child;
    } else if (n === 1) {
      // A non-multipart entity is its own part 1 (the body of a single-part message; Dovecot answers
      // BODY[1.1] of a text part like BODY[1] too). cur stays the same entity.
    } else {
      return null;
    }
    messageLike = false;
  }
  return cur;
}

/** The header block of the message a HEADER / TEXT / HEADER.FIELDS section applies to. */
function messageOf(root: MimePart, path: readonly number[]): MimePart | null {
  if (path.length === 0) return root;
  const part = locatePart(root, path);
  // HEADER, TEXT and HEADER.FIELDS after a part number apply to an encapsulated message only.
  if (part === null || part.kind !== 'message' || part.message === null) return null;
  return part.message.body;
}

/**
 * Where a section's data lies. `meta` may be omitted for the whole message (BODY[], RFC822), which needs
 * only the size.
 */
export function locateSection(meta: MessageMeta | undefined, size: number, section: SectionRef): SectionSource {
  if (section.part.length === 0 && section.text === null) return { kind: 'range', start: 0, end: size };
  if (meta === undefined) throw new Error('section needs message metadata');
  const text = section.text;
  if (text === null) {
    const part = locatePart(meta.root, section.part);
    if (part === null) return EMPTY;
    // The root when the message is not a multipart: its part 1 is the body without the header.
    return { kind: 'range', start: part.bodyStart, end: part.bodyEnd };
  }
  if (text.kind === 'mime') {
    const part = locatePart(meta.root, section.part);
    if (part === null) return EMPTY;
    return { kind: 'range', start: part.headerStart, end: part.headerEnd };
  }
  const msg = messageOf(meta.root, section.part);
  if (msg === null) return EMPTY;
  switch (text.kind) {
    case 'header':
      return { kind: 'range', start: msg.headerStart, end: msg.headerEnd };
    case 'text':
      return { kind: 'range', start: msg.bodyStart, end: msg.bodyEnd };
    case 'headerFields':
      return { kind: 'headerFields', start: msg.headerStart, end: msg.headerEnd, fields: text.fields, not: text.not };
  }
}

const LF = 0x0a;

/**
 * The fields of a header block whose names are (or, with `not`, are not) in `fields`, compared
 * case-insensitively, in message order with their continuation lines, followed by the blank line that
 * ends a header (RFC 3501 section 6.4.5: "the subset of the header ... and the delimiting blank line").
 */
export function filterHeaderFields(header: Buffer, fields: readonly string[], not: boolean): Buffer {
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  const out: Buffer[] = [];
  let keep = false;
  let pos = 0;
  while (pos < header.length) {
    let next = header.indexOf(LF, pos);
    next = next < 0 ? header.length : next + 1;
    const first = header[pos];
    if (first === 0x0d || first === LF) break; // the blank line: end of the header
    if (first === 0x20 || first === 0x09) {
      if (keep) out.push(header.subarray(pos, next)); // continuation of the previous field
    } else {
      const colon = header.indexOf(0x3a, pos);
      const name = colon >= 0 && colon < next ? header.toString('latin1', pos, colon).trim().toLowerCase() : null;
      // A line without a colon names no field: HEADER.FIELDS.NOT keeps it, as Dovecot does.
      keep = name === null ? not : wanted.has(name) !== not;
      if (keep) out.push(header.subarray(pos, next));
    }
    pos = next;
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/** The [start, end) window a partial fetch selects from data of `length` octets (RFC 3501 section 6.4.5). */
export function partialWindow(length: number, partial: PartialRange | null): { start: number; end: number } {
  if (partial === null) return { start: 0, end: length };
  // An origin past the end gives an empty string; a count past the end is truncated.
  const start = Math.min(partial.origin, length);
  const end = Math.min(partial.origin + partial.count, length);
  return { start, end };
}

/** A transfer encoding the server cannot decode: FETCH BINARY answers NO [UNKNOWN-CTE] (RFC 3516 section 4.3). */
export class UnknownCteError extends Error {
  override readonly name = 'UnknownCteError';
}

/** The part BINARY[path] names and its content transfer encoding, or null when there is no such part. */
export function locateBinary(meta: MessageMeta, path: readonly number[]): { start: number; end: number; encoding: string } | null {
  if (path.length === 0) return { start: 0, end: meta.size, encoding: '7bit' };
  const part = locatePart(meta.root, path);
  if (part === null) return null;
  // Multiparts and messages cannot be transfer-encoded beyond 7bit/8bit/binary (RFC 2045 section 6.4).
  const encoding = part.kind === 'leaf' ? (part.encoding ?? '7bit').trim().toLowerCase() : '7bit';
  return { start: part.bodyStart, end: part.bodyEnd, encoding };
}

/** Remove a content transfer encoding. Throws UnknownCteError for an encoding not in RFC 2045. */
export function decodeTransferEncoding(data: Buffer, encoding: string): Buffer {
  if (!isKnownTransfer(encoding)) throw new UnknownCteError(`unknown content transfer encoding ${encoding}`);
  return decodeTransfer(data, encoding);
}

/**
 * A literal cannot carry NUL (RFC 3501 section 9: CHAR8 is %x01-ff), so NUL octets of message data are
 * sent as 0x80, as Dovecot does; the length does not change. BINARY uses literal8 instead.
 */
export function replaceNul(data: Buffer): Buffer {
  let i = data.indexOf(0);
  if (i < 0) return data;
  const copy = Buffer.from(data);
  for (; i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return copy;
}
