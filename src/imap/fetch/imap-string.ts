/**
 * Header-derived binary strings as IMAP values. Kept next to envelope/bodystructure (issue 2): IMAP echoes
 * header octets unchanged (RFC 3501 section 7.4.2), so text that is not valid UTF-8 goes out as a literal of
 * the original octets instead of being re-encoded.
 */
import { literal } from '../protocol/values.ts';
import type { ImapValue } from '../protocol/values.ts';

/** nstring from a binary string (one char per octet); null stays NIL. */
export function nstring(bin: string | null): ImapValue {
  if (bin === null) return null;
  if (!/[\x80-\xff]/.test(bin)) return bin;
  const bytes = Buffer.from(bin, 'latin1');
  const utf8 = bytes.toString('utf8');
  // Valid UTF-8 stays a string: the encoder quotes it on UTF8=ACCEPT connections, literals it otherwise.
  if (Buffer.from(utf8, 'utf8').equals(bytes)) return utf8;
  return literal(bytes);
}
