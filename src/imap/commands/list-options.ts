/**
 * The LIST command line, basic (RFC 3501 section 6.3.8) or extended (RFC 5258 section 6):
 *
 *   list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
 *   list-select-opts = "(" [option *(SP option)] ")"        SUBSCRIBED / REMOTE / RECURSIVEMATCH / SPECIAL-USE
 *   mbox-or-pat = list-mailbox / "(" list-mailbox *(SP list-mailbox) ")"
 *   list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
 *   return-option = SUBSCRIBED / CHILDREN / SPECIAL-USE (RFC 6154) / "STATUS" SP "(" status-att ... ")" (RFC 5819)
 *
 * Options are case-insensitive, may repeat (acting once) and come in any order; an unknown option is a
 * BAD (RFC 5258 section 3). Which options the connection may use is checked when the command runs.
 */
import type { ImapDecoder } from '../wire/decoder.ts';
import { parseStatusItems, type StatusItem } from './status-items.ts';

/** Selection options (RFC 5258 section 3.1, RFC 6154 section 2). */
export interface ListSelection {
  readonly subscribed: boolean;
  readonly remote: boolean;
  readonly recursiveMatch: boolean;
  readonly specialUse: boolean;
}

/** Return options (RFC 5258 section 3.2, RFC 6154, RFC 5819). */
export interface ListReturn {
  readonly subscribed: boolean;
  readonly children: boolean;
  readonly specialUse: boolean;
  /** STATUS items to return after each selectable mailbox, or null. */
  readonly status: readonly StatusItem[] | null;
}

/** A parsed LIST command. */
export interface ExtendedListArgs {
  readonly reference: string;
  readonly patterns: readonly string[];
  /** True when any RFC 5258 syntax was used (selection options, a pattern list, RETURN). */
  readonly extended: boolean;
  /** True when the patterns came as a parenthesized list (RFC 5258 multiple patterns). */
  readonly patternList: boolean;
  /** Null when no selection options were given (not even `()`). */
  readonly selection: ListSelection | null;
  /** Null when no RETURN was given. */
  readonly returns: ListReturn | null;
}

function parseSelection(dec: ImapDecoder): ListSelection {
  const sel = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
  dec.list(() => {
    const name = dec.atom().toUpperCase();
    if (name === 'SUBSCRIBED') sel.subscribed = true;
    else if (name === 'REMOTE') sel.remote = true;
    else if (name === 'RECURSIVEMATCH') sel.recursiveMatch = true;
    else if (name === 'SPECIAL-USE') sel.specialUse = true;
    else dec.fail(`unknown LIST selection option ${name}`);
  });
  return sel;
}

function parseReturn(dec: ImapDecoder): ListReturn {
  const ret: { subscribed: boolean; children: boolean; specialUse: boolean; status: StatusItem[] | null } = {
    subscribed: false,
    children: false,
    specialUse: false,
    status: null,
  };
  dec.list(() => {
    const name = dec.atom().toUpperCase();
    if (name === 'SUBSCRIBED') ret.subscribed = true;
    else if (name === 'CHILDREN') ret.children = true;
    else if (name === 'SPECIAL-USE') ret.specialUse = true;
    else if (name === 'STATUS') {
      dec.sp();
      const items = parseStatusItems(dec);
      ret.status = [...new Set([...(ret.status ?? []), ...items])];
    } else dec.fail(`unknown LIST return option ${name}`);
  });
  return ret;
}

/** Parse what follows `LIST`. */
export function parseExtendedList(dec: ImapDecoder): ExtendedListArgs {
  dec.sp();
  let selection: ListSelection | null = null;
  if (dec.peekByte() === 0x28) {
    selection = parseSelection(dec);
    dec.sp();
  }
  const reference = dec.listMailbox();
  dec.sp();
  let patterns: string[];
  let patternList = false;
  if (dec.peekByte() === 0x28) {
    patterns = dec.list(() => dec.listMailbox());
    if (patterns.length === 0) dec.fail('empty pattern list');
    patternList = true;
  } else {
    patterns = [dec.listMailbox()];
  }
  let returns: ListReturn | null = null;
  if (!dec.atEnd()) {
    dec.sp();
    dec.expect('RETURN');
    dec.sp();
    returns = parseReturn(dec);
  }
  dec.end();
  const extended = selection !== null || patternList || returns !== null;
  return { reference, patterns, extended, patternList, selection, returns };
}
