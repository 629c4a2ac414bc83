/**
 * Protocol-neutral search query AST. The IMAP SEARCH decoder produces it, stores evaluate it.
 * Message sequence numbers never appear here: the IMAP session turns sequence sets (and SEARCHRES `$`)
 * into UID sets before a query reaches the store (DESIGN.md section 1).
 */

/** Inclusive UID range; `end` may be Infinity for "up to the last message". */
export interface UidRange {
  readonly start: number;
  readonly end: number;
}

/** A search key. Dates are calendar days in UTC for the day comparisons (RFC 3501 section 6.4.4). */
export type SearchKey =
  | { readonly type: 'all' }
  | { readonly type: 'and'; readonly keys: readonly SearchKey[] }
  | { readonly type: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly type: 'not'; readonly key: SearchKey }
  | { readonly type: 'uid'; readonly ranges: readonly UidRange[] }
  /** Flag present (`flag: '\\Seen'` for SEEN, keywords for KEYWORD). `\Recent` is resolved by the session. */
  | { readonly type: 'flag'; readonly flag: string }
  /** Internal date compared by calendar day: BEFORE, ON, SINCE. `date` is YYYY-MM-DD. */
  | { readonly type: 'internalDate'; readonly op: 'before' | 'on' | 'since'; readonly date: string }
  /** Date: header compared by calendar day: SENTBEFORE, SENTON, SENTSINCE. */
  | { readonly type: 'sentDate'; readonly op: 'before' | 'on' | 'since'; readonly date: string }
  /** RFC 8514 SAVEDATE keys. */
  | { readonly type: 'saveDate'; readonly op: 'before' | 'on' | 'since'; readonly date: string }
  /** RFC 5032 OLDER/YOUNGER: internal date relative to now, in seconds. */
  | { readonly type: 'within'; readonly op: 'older' | 'younger'; readonly seconds: number }
  | { readonly type: 'size'; readonly op: 'larger' | 'smaller'; readonly size: number }
  /** FROM/TO/CC/BCC/SUBJECT and HEADER name value. `value` '' matches any message having the header. */
  | { readonly type: 'header'; readonly field: string; readonly value: string }
  /** BODY: the body text (all text parts, decoded). */
  | { readonly type: 'body'; readonly value: string }
  /** TEXT: header and body. */
  | { readonly type: 'text'; readonly value: string }
  /** RFC 7162 MODSEQ: message modseq >= value. */
  | { readonly type: 'modseq'; readonly min: number }
  /** RFC 8474 EMAILID / THREADID. */
  | { readonly type: 'emailId'; readonly id: string }
  | { readonly type: 'threadId'; readonly id: string };

/** A whole query: the key to match. Charset has already been applied (values are UTF-8). */
export type SearchQuery = SearchKey;
