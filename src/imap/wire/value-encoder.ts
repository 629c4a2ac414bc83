/**
 * Renders ImapValue trees to bytes (RFC 3501 section 4). The one place that decides how a string goes on
 * the wire: quoted when every byte allows it, a literal otherwise (CR, LF, NUL, or 8-bit text on a
 * connection that has not enabled UTF-8, RFC 6855 / RFC 9051 section 4.3). Lists get SP between items;
 * runs (ImapRun) get none.
 */
import type { ImapValue } from '../protocol/values.ts';

/** How strings may be written on this connection. */
export interface ValueEncodingOptions {
  /** UTF8=ACCEPT or IMAP4rev2 enabled: 8-bit UTF-8 may appear in quoted strings. */
  readonly utf8?: boolean;
}

const NIL = Buffer.from('NIL');
const SP = Buffer.from(' ');
const OPEN = Buffer.from('(');
const CLOSE = Buffer.from(')');

/** Whether `bytes` can be written as a quoted string. */
function quotable(bytes: Buffer, utf8: boolean): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0 || b === 0x0a || b === 0x0d) return false;
    if (b >= 0x80 && !utf8) return false;
  }
  return true;
}

// Array.isArray does not narrow readonly arrays.
function isList(value: ImapValue): value is readonly ImapValue[] {
  return Array.isArray(value);
}

/** Append the rendering of `value` to `out`. */
export function encodeValue(value: ImapValue, out: Buffer[], options: ValueEncodingOptions = {}): void {
  if (value === null) {
    out.push(NIL);
  } else if (typeof value === 'number') {
    out.push(Buffer.from(String(value)));
  } else if (typeof value === 'string') {
    encodeString(Buffer.from(value, 'utf8'), out, options);
  } else if (isList(value)) {
    out.push(OPEN);
    value.forEach((item, i) => {
      if (i > 0) out.push(SP);
      encodeValue(item, out, options);
    });
    out.push(CLOSE);
  } else if ('atom' in value) {
    out.push(Buffer.from(value.atom));
  } else if ('run' in value) {
    // RFC 3501 section 9 `1*body`, `1*address`: no SP between the items.
    for (const item of value.run) encodeValue(item, out, options);
  } else {
    encodeLiteral(value.literal, out, value.binary === true);
  }
}

/** A string: quoted with `\` escapes for `"` and `\`, or a literal. */
export function encodeString(bytes: Buffer, out: Buffer[], options: ValueEncodingOptions = {}): void {
  if (!quotable(bytes, options.utf8 === true)) {
    encodeLiteral(bytes, out, false);
    return;
  }
  let escaped = bytes;
  if (bytes.includes(0x22) || bytes.includes(0x5c)) {
    escaped = Buffer.from(bytes.toString('latin1').replace(/["\\]/g, '\\$&'), 'latin1');
  }
  out.push(Buffer.from('"'), escaped, Buffer.from('"'));
}

/** `{n}\r\n` followed by the bytes (`~{n}` for RFC 3516 literal8). */
export function encodeLiteral(bytes: Buffer, out: Buffer[], binary: boolean): void {
  out.push(Buffer.from(`${binary ? '~' : ''}{${bytes.length}}\r\n`), bytes);
}

/** Render one value to a single Buffer. */
export function renderValue(value: ImapValue, options: ValueEncodingOptions = {}): Buffer {
  const out: Buffer[] = [];
  encodeValue(value, out, options);
  return Buffer.concat(out);
}
