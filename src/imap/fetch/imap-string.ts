/**
 * Header-derived binary strings as IMAP values (issue 2). IMAP echoes header octets unchanged (RFC 3501
 * section 7.4.2), so text that is not valid UTF-8 goes out as a literal of the original octets instead of
 * being re-encoded.
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

/**
 * Text meant for people (ENVELOPE subject and display names), presented as Dovecot's
 * imap_append_string_for_humans() does: CR, LF, TAB and runs of whitespace become one space, leading and
 * trailing whitespace go, NUL becomes 0x80; a value that had to change, or holds `"`, `\` or 8-bit octets,
 * is sent as a literal. Matching Dovecot here keeps FETCH output identical for clients that cache it.
 */
export function humanString(bin: string): ImapValue {
  const cleaned = bin.replace(/\x00/g, '\x80').replace(/[\t\r\n ]+/g, ' ').replace(/^ | $/g, '');
  if (cleaned === bin && !/["\\\x80-\xff]/.test(bin)) return bin;
  if (cleaned === '') return '';
  if (cleaned === bin.replace(/\x00/g, '\x80') && !/["\\]/.test(bin)) {
    // Only 8-bit text: let the encoder choose (a literal unless the connection accepts UTF-8).
    return nstring(cleaned);
  }
  return literal(Buffer.from(cleaned, 'latin1'));
}
