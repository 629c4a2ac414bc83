/**
 * Header block scanning (RFC 5322 section 2.2), tolerant the way Dovecot's message-header-parser is:
 * bare LF line ends, 8-bit octets, lines without a colon (skipped), and a block with no blank line
 * (the header then runs to the end of the entity).
 */

/** One header field: name as written, raw value (binary string, folding kept, no trailing CRLF). */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** Result of locating a header block. */
export interface HeaderBlock {
  readonly fields: HeaderField[];
  /** Offset just past the blank line ending the header, or `end` when there is none. */
  readonly headerEnd: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;

/** Offset just after the line starting at `pos` (past its LF), or `end`. */
export function lineEnd(buf: Buffer, pos: number, end: number): number {
  const i = buf.indexOf(LF, pos);
  return i < 0 || i >= end ? end : i + 1;
}

/** Whether the line [pos, next) is empty (just CRLF or LF). */
function isBlank(buf: Buffer, pos: number, next: number): boolean {
  const len = next - pos;
  return (len === 1 && buf[pos] === LF) || (len === 2 && buf[pos] === CR && buf[pos + 1] === LF);
}

/** Strip one trailing LF or CRLF from a binary string. */
function chompLine(s: string): string {
  if (s.endsWith('\r\n')) return s.slice(0, -2);
  if (s.endsWith('\n')) return s.slice(0, -1);
  return s;
}

/** Find the end of the header block starting at `start` and split it into fields. Never throws. */
export function parseHeaderBlock(buf: Buffer, start: number, end: number): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  let fieldStart = -1;
  const flush = (upTo: number): void => {
    if (fieldStart < 0) return;
    const raw = buf.toString('latin1', fieldStart, upTo);
    fieldStart = -1;
    const colon = raw.indexOf(':');
    if (colon <= 0) return; // not a header field: ignored like Dovecot does
    const name = raw.slice(0, colon).replace(/[ \t]+$/, '');
    if (name.length === 0 || /[\s]/.test(name)) return;
    let value = chompLine(raw.slice(colon + 1));
    // Leading whitespace after the colon is not part of the value (Dovecot strips it too).
    value = value.replace(/^[ \t]+/, '');
    fields.push({ name, value });
  };
  while (pos < end) {
    const next = lineEnd(buf, pos, end);
    if (isBlank(buf, pos, next)) {
      flush(pos);
      return { fields, headerEnd: next };
    }
    const c = buf[pos];
    if ((c === SP || c === TAB) && fieldStart >= 0) {
      // continuation line: part of the current field
    } else {
      flush(pos);
      fieldStart = pos;
    }
    pos = next;
  }
  flush(end);
  return { fields, headerEnd: end };
}

/** Split an already isolated header block (e.g. MessageMeta.header) into fields. */
export function parseHeaderFields(header: Buffer): HeaderField[] {
  return parseHeaderBlock(header, 0, header.length).fields;
}

/** Case-insensitive lookup of the first field called `name`. */
export function firstField(fields: readonly HeaderField[], name: string): string | null {
  const lower = name.toLowerCase();
  for (const f of fields) if (f.name.toLowerCase() === lower) return f.value;
  return null;
}

/** Remove CR and LF from a folded value (RFC 5322 section 2.2.3 unfolding keeps the whitespace). */
export function unfold(value: string): string {
  return value.replace(/\r?\n/g, '');
}
