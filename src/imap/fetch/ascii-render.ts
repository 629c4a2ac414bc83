/**
 * A fast path for rendering FETCH values that are plain ASCII (the usual BODYSTRUCTURE and ENVELOPE):
 * builds one string instead of encodeValue's Buffer per token, which dominated FETCH 1:* BODYSTRUCTURE.
 * It renders exactly what encodeValue writes (imap/wire/value-encoder.ts), and gives up (null) on anything
 * whose rendering depends on the connection or needs a literal: 8-bit text, CR, LF, NUL, literals.
 */
import type { ImapValue } from '../protocol/values.ts';

/** Characters a quoted string may hold on any connection: printable ASCII, TAB and the other C0 controls but CR, LF and NUL. */
const QUOTABLE_ASCII = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;
const ASCII = /^[\x00-\x7f]*$/;

/** The rendering of `value` as encodeValue writes it, or null when it is not plain ASCII text. */
export function asciiRender(value: ImapValue): string | null {
  if (value === null) return 'NIL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (!QUOTABLE_ASCII.test(value)) return null;
    return `"${value.includes('"') || value.includes('\\') ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  if (Array.isArray(value)) {
    let out = '(';
    for (let i = 0; i < value.length; i++) {
      const item = asciiRender((value as readonly ImapValue[])[i]);
      if (item === null) return null;
      out += i === 0 ? item : ` ${item}`;
    }
    return `${out})`;
  }
  const node = value as Exclude<ImapValue, null | string | number | readonly ImapValue[]>;
  if ('atom' in node) return ASCII.test(node.atom) ? node.atom : null;
  if ('run' in node) {
    let out = '';
    for (const item of node.run) {
      const text = asciiRender(item);
      if (text === null) return null;
      out += text;
    }
    return out;
  }
  return null; // a literal
}
