/**
 * Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3). Names are UTF-8 inside Mailroom; this is the
 * only place that converts. Decoding is strict the way Dovecot's imap-utf7.c is: a name that is not the
 * one canonical encoding of some Unicode string is refused, so two different wire names can never map
 * to the same mailbox.
 */

/** A mailbox name that is not valid modified UTF-7. */
export class Mutf7Error extends Error {
  override readonly name = 'Mutf7Error';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));

/** Whether a code unit is printable US-ASCII, which must represent itself (RFC 3501 5.1.3). */
function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** Encode a UTF-8 (JS) string to modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code === 0x26) {
      out += '&-';
      i++;
    } else if (isDirect(code)) {
      out += name[i];
      i++;
    } else {
      let j = i;
      while (j < name.length && !isDirect(name.charCodeAt(j))) j++;
      const units = Buffer.alloc((j - i) * 2);
      for (let k = i; k < j; k++) units.writeUInt16BE(name.charCodeAt(k), (k - i) * 2);
      out += '&' + units.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
      i = j;
    }
  }
  return out;
}

/**
 * Decode modified UTF-7. Refused (Mutf7Error): bytes outside printable US-ASCII, `&` without a closing
 * `-`, characters outside the modified base64 alphabet, a shift sequence that encodes nothing or
 * encodes printable ASCII (which must be written directly), non-zero padding bits, a partial UTF-16
 * unit, unpaired surrogates, and two shift sequences back to back (the canonical form merges them).
 */
export function decodeMutf7(wire: string): string {
  let out = '';
  let i = 0;
  let lastWasEncoded = false;
  while (i < wire.length) {
    const c = wire.charCodeAt(i);
    if (!isDirect(c)) throw new Mutf7Error('invalid character in mailbox name');
    if (c !== 0x26) {
      out += wire[i];
      i++;
      lastWasEncoded = false;
      continue;
    }
    const close = wire.indexOf('-', i + 1);
    if (close < 0) throw new Mutf7Error('unterminated modified UTF-7 sequence');
    if (close === i + 1) {
      out += '&';
      i += 2;
      lastWasEncoded = false;
      continue;
    }
    if (lastWasEncoded) throw new Mutf7Error('adjacent modified UTF-7 sequences');
    out += decodeShift(wire.slice(i + 1, close));
    i = close + 1;
    lastWasEncoded = true;
  }
  return out;
}

function decodeShift(b64: string): string {
  let bits = 0;
  let nbits = 0;
  const units: number[] = [];
  for (const ch of b64) {
    const v = B64_INDEX.get(ch);
    if (v === undefined) throw new Mutf7Error('invalid modified base64 character');
    bits = ((bits << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >> nbits) & 0xffff);
    }
  }
  // Leftover bits must be fewer than 6 (else a whole base64 char was superfluous) and zero.
  if (nbits >= 6 || (bits & ((1 << nbits) - 1)) !== 0) throw new Mutf7Error('invalid modified base64 padding');
  if (units.length === 0) throw new Mutf7Error('empty modified UTF-7 sequence');
  let out = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k];
    if (isDirect(u)) throw new Mutf7Error('printable ASCII must not be encoded');
    if (u >= 0xd800 && u <= 0xdbff) {
      const low = units[k + 1];
      if (low === undefined || low < 0xdc00 || low > 0xdfff) throw new Mutf7Error('unpaired surrogate');
      out += String.fromCharCode(u, low);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw new Mutf7Error('unpaired surrogate');
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}

/** Whether a wire name is valid modified UTF-7. */
export function isValidMutf7(wire: string): boolean {
  try {
    decodeMutf7(wire);
    return true;
  } catch {
    return false;
  }
}

/** A UTF-8 mailbox name as it goes on the wire: modified UTF-7, or as is after UTF-8 was enabled (RFC 6855). */
export function mailboxToWire(name: string, utf8: boolean): string {
  return utf8 ? name : encodeMutf7(name);
}

/** Whether the connection enabled UTF-8 mailbox names (ENABLE UTF8=ACCEPT or IMAP4rev2). */
export function utf8Enabled(enabled: ReadonlySet<string>): boolean {
  return enabled.has('UTF8=ACCEPT') || enabled.has('IMAP4REV2');
}
