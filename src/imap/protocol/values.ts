/**
 * A tree of IMAP data values (RFC 3501 section 4), built by handlers and rendered only by the encoder
 * (imap/wire/encoder.ts), which picks atom, quoted string or literal for each string.
 */

/** An atom written as is (NIL, flags, keywords, response-code names). */
export interface ImapAtom {
  readonly atom: string;
}

/** Bytes that must go out as a literal (message data, 8-bit content). */
export interface ImapLiteral {
  readonly literal: Buffer;
  /** RFC 3516 literal8: `~{n}`. */
  readonly binary?: boolean;
}

/**
 * Values written one after the other with no separator and no parentheses. RFC 3501 section 9 has such
 * runs inside lists: `body-type-mpart = 1*body SP media-subtype` (child bodies `(...)(...)`) and the
 * address lists of ENVELOPE (`env-from = "(" 1*address ")" / nil`). The items should be lists (or
 * otherwise self-delimiting): two strings or atoms in a run would merge into one token.
 */
export interface ImapRun {
  readonly run: readonly ImapValue[];
}

/**
 * One value: null is NIL; a string is an IMAP string (quoted when it can be, a literal when it contains
 * CR, LF, NUL or 8-bit text the connection cannot carry quoted); a number is a number; an array is a
 * parenthesized list whose items are separated by SP; a run is items with no separator.
 */
export type ImapValue = null | string | number | ImapAtom | ImapLiteral | ImapRun | readonly ImapValue[];

/** Shorthand for an atom value. */
export function atom(text: string): ImapAtom {
  return { atom: text };
}

/** Shorthand for a literal value. */
export function literal(bytes: Buffer, binary = false): ImapLiteral {
  return binary ? { literal: bytes, binary } : { literal: bytes };
}

/** Shorthand for a run: `items` written back to back with no separator (see ImapRun). */
export function run(items: readonly ImapValue[]): ImapRun {
  return { run: items };
}
