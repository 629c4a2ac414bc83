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
 * One value: null is NIL; a string is an IMAP string (quoted when it can be, a literal when it contains
 * CR, LF, NUL or 8-bit text the connection cannot carry quoted); a number is a number; an array is a
 * parenthesized list.
 */
export type ImapValue = null | string | number | ImapAtom | ImapLiteral | readonly ImapValue[];

/** Shorthand for an atom value. */
export function atom(text: string): ImapAtom {
  return { atom: text };
}

/** Shorthand for a literal value. */
export function literal(bytes: Buffer, binary = false): ImapLiteral {
  return binary ? { literal: bytes, binary } : { literal: bytes };
}
