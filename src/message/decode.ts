/**
 * Turning stored octets into text: transfer decodings (RFC 2045 section 6), charsets (iconv-lite, and
 * ISO-2022-JP through libmime's encoding-japanese path), RFC 2047 encoded words and RFC 2231 values.
 * Used by SEARCH and BINARY; ENVELOPE/BODYSTRUCTURE never decode (IMAP sends raw header text).
 */
import iconv from 'iconv-lite';
import libmime from 'libmime';
import libcharset from 'libmime/lib/charset.js';
import libqp from 'libqp';

/** Decode a Content-Transfer-Encoding. Identity encodings (7bit, 8bit, binary, unknown) return the input. */
export function decodeTransfer(bytes: Buffer, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'base64':
      // Node's decoder skips whitespace and stops cleanly at garbage: tolerant like Dovecot.
      return Buffer.from(bytes.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return libqp.decode(bytes);
    default:
      return bytes;
  }
}

/** Whether `encoding` is one BINARY can decode (RFC 3516 section 4.2; others give UNKNOWN-CTE). */
export function isKnownTransfer(encoding: string): boolean {
  return ['7bit', '8bit', 'binary', 'base64', 'quoted-printable'].includes(encoding.toLowerCase());
}

function isJapanese(cs: string): boolean {
  return /^(jis|iso-?2022-?jp|euc-?jp)/i.test(cs);
}

/** Whether we can convert from this charset. */
export function charsetKnown(charset: string): boolean {
  const cs = charset.trim();
  if (cs === '') return false;
  if (/^(us-?ascii|utf-?8|7bit)$/i.test(cs) || isJapanese(cs)) return true;
  return iconv.encodingExists(libmime.normalizeCharset(cs)) || iconv.encodingExists(cs);
}

/** Convert octets in `charset` to a JS string; unknown charsets fall back to UTF-8 (lossy but searchable). */
export function decodeCharset(bytes: Buffer, charset: string): string {
  const cs = charset.trim();
  if (cs === '' || /^(us-?ascii|utf-?8|7bit)$/i.test(cs)) return bytes.toString('utf8');
  if (isJapanese(cs)) return libcharset.decode(bytes, cs);
  const norm = libmime.normalizeCharset(cs);
  if (iconv.encodingExists(norm)) return iconv.decode(bytes, norm);
  if (iconv.encodingExists(cs)) return iconv.decode(bytes, cs);
  return bytes.toString('utf8');
}

/**
 * Convert a SEARCH string sent with CHARSET to UTF-8 (RFC 3501 section 6.4.4). Returns null for an
 * unknown charset, which the IMAP layer reports as NO [BADCHARSET].
 */
export function decodeSearchCharset(bytes: Buffer, charset: string): string | null {
  if (!charsetKnown(charset)) return null;
  return decodeCharset(bytes, charset);
}

/** True when every octet of a binary string is ASCII. */
function isAscii(s: string): boolean {
  return !/[\x80-\xff]/.test(s);
}

/**
 * Decode a raw header value (binary string) to text: unfold, raw 8-bit as UTF-8 (or latin1 when not valid
 * UTF-8), then RFC 2047 encoded words. Never throws.
 */
export function decodeHeaderValue(raw: string): string {
  let s = raw.replace(/\r?\n/g, '');
  if (!isAscii(s)) {
    const bytes = Buffer.from(s, 'latin1');
    const utf8 = bytes.toString('utf8');
    s = utf8.includes('\ufffd') ? s : utf8;
  }
  if (!s.includes('=?')) return s;
  try {
    return libmime.decodeWords(s);
  } catch {
    return s;
  }
}

/** Decode an RFC 2231 extended value as presented by params.ts (`charset'lang'%XX...`). */
export function decodeRfc2231(value: string): string {
  const m = /^([^']*)'[^']*'(.*)$/s.exec(value);
  if (m === null) return value;
  const bytes = Buffer.from(m[2].replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return decodeCharset(bytes, m[1] || 'us-ascii');
}

/**
 * Case-insensitive comparison key: Unicode full case folding approximated by toLowerCase after
 * toUpperCase (folds ß/SS, final sigma and friends), then NFC so composed and decomposed forms meet.
 */
export function foldCase(s: string): string {
  return s.toUpperCase().toLowerCase().normalize('NFC');
}
