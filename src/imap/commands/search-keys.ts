/**
 * The SEARCH key parser (RFC 3501 section 6.4.4 and the `search` ABNF in section 9) and the step that
 * turns its output into the store's SearchQuery (src/search/types.ts). Parsing keeps what only the session
 * can answer symbolic (sequence sets, `$`, \Recent) and strings as raw octets (the CHARSET is applied
 * afterwards, so that an unknown charset is a NO [BADCHARSET], not a BAD).
 */
import type { SearchKey, SearchQuery, UidRange } from '../../search/types.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import { normalizeRange, type SequenceSet } from '../wire/sequence-set.ts';
import type { SelectedView } from './types.ts';

/** Date comparisons: BEFORE/ON/SINCE and their SENT forms. */
type DateOp = 'before' | 'on' | 'since';

/** A parsed search key, before the session view and the charset are applied. */
export type ImapSearchKey =
  | { readonly type: 'all' }
  | { readonly type: 'and'; readonly keys: readonly ImapSearchKey[] }
  | { readonly type: 'or'; readonly left: ImapSearchKey; readonly right: ImapSearchKey }
  | { readonly type: 'not'; readonly key: ImapSearchKey }
  /** A message sequence set (or `$`): resolved by the view. */
  | { readonly type: 'seq'; readonly set: SequenceSet }
  /** UID sequence-set: `*` is the largest UID of the view. */
  | { readonly type: 'uidSet'; readonly set: SequenceSet }
  /** \Recent is session state (RECENT, NEW, OLD). */
  | { readonly type: 'recent' }
  | { readonly type: 'flag'; readonly flag: string }
  | { readonly type: 'internalDate'; readonly op: DateOp; readonly date: string }
  | { readonly type: 'sentDate'; readonly op: DateOp; readonly date: string }
  | { readonly type: 'size'; readonly op: 'larger' | 'smaller'; readonly size: number }
  | { readonly type: 'header'; readonly field: string; readonly value: Buffer }
  | { readonly type: 'body'; readonly value: Buffer }
  | { readonly type: 'text'; readonly value: Buffer }
  /** RFC 8514 SAVEDBEFORE / SAVEDON / SAVEDSINCE. */
  | { readonly type: 'saveDate'; readonly op: DateOp; readonly date: string }
  /** RFC 5032 OLDER / YOUNGER (seconds). */
  | { readonly type: 'within'; readonly op: 'older' | 'younger'; readonly seconds: number }
  /** RFC 8474 EMAILID / THREADID. */
  | { readonly type: 'emailId'; readonly id: string }
  | { readonly type: 'threadId'; readonly id: string };

/** RFC 4731 / RFC 5182 result options of `SEARCH RETURN (...)`. */
export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

/**
 * Extensions whose syntax a SEARCH used. The command checks them against the capabilities at run time
 * (parsing has no capability list): syntax of an extension that is not offered is a BAD.
 */
export type SearchSyntax = 'ESEARCH' | 'SEARCHRES' | 'WITHIN' | 'SAVEDATE' | 'OBJECTID';

/** A parsed SEARCH command. */
export interface ParsedSearch {
  /** The CHARSET argument, or null (US-ASCII, which we read as UTF-8 like Dovecot). */
  readonly charset: string | null;
  readonly key: ImapSearchKey;
  /** `RETURN (...)` options (RFC 4731); null when the command had no RETURN. `RETURN ()` is an empty set. */
  readonly returnOptions: ReadonlySet<SearchReturnOption> | null;
  /** Extension syntax used (RETURN, SAVE, `$`, OLDER, SAVEDON, EMAILID...). */
  readonly syntax: ReadonlySet<SearchSyntax>;
}

/** objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 section 7). */
const OBJECT_ID = /^[A-Za-z0-9_-]{1,255}$/;

const SAVE_DATE_KEYS: Readonly<Record<string, DateOp>> = { SAVEDBEFORE: 'before', SAVEDON: 'on', SAVEDSINCE: 'since' };

/**
 * Deepest nesting of NOT, OR and parentheses. imapflow writes an `or` of n terms as n-1 nested ORs, so
 * the limit is generous; it bounds the parser's and evaluator's recursion.
 */
export const MAX_SEARCH_DEPTH = 256;

/** Most keys in one SEARCH: bounds the query a hostile client can make the store evaluate per message. */
export const MAX_SEARCH_KEYS = 10_000;

const FLAG_KEYS: Readonly<Record<string, readonly [string, boolean]>> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

const HEADER_KEYS: Readonly<Record<string, string>> = { BCC: 'bcc', CC: 'cc', FROM: 'from', SUBJECT: 'subject', TO: 'to' };

const DATE_KEYS: Readonly<Record<string, readonly ['internalDate' | 'sentDate', DateOp]>> = {
  BEFORE: ['internalDate', 'before'],
  ON: ['internalDate', 'on'],
  SINCE: ['internalDate', 'since'],
  SENTBEFORE: ['sentDate', 'before'],
  SENTON: ['sentDate', 'on'],
  SENTSINCE: ['sentDate', 'since'],
};

function not(key: ImapSearchKey): ImapSearchKey {
  return { type: 'not', key };
}

function isSetStart(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2a || b === 0x24;
}

/** Recursive-descent parser state. */
class KeyParser {
  private depth = 0;
  private count = 0;
  /** Extension syntax met so far. */
  readonly syntax = new Set<SearchSyntax>();
  constructor(private readonly d: ImapDecoder) {}

  private sequenceSet(): SequenceSet {
    const set = this.d.sequenceSet();
    if (set.saved === true) this.syntax.add('SEARCHRES');
    return set;
  }

  /** search-key *(SP search-key), ending at `)` or the end of the command. */
  keys(): ImapSearchKey {
    const d = this.d;
    const keys = [this.key()];
    while (d.peekByte() === 0x20) {
      d.sp();
      keys.push(this.key());
    }
    return keys.length === 1 ? keys[0] : { type: 'and', keys };
  }

  private nested<T>(inner: () => T): T {
    if (++this.depth > MAX_SEARCH_DEPTH) this.d.fail('search keys nested too deeply');
    const v = inner();
    this.depth--;
    return v;
  }

  /** One search-key. */
  key(): ImapSearchKey {
    const d = this.d;
    if (++this.count > MAX_SEARCH_KEYS) d.fail('too many search keys');
    const b = d.peekByte();
    if (b === 0x28) {
      return this.nested(() => {
        d.accept('(');
        if (d.peekByte() === 0x29) d.fail('No search parameters inside list');
        const inner = this.keys();
        d.expect(')');
        return inner;
      });
    }
    if (isSetStart(b)) return { type: 'seq', set: this.sequenceSet() };
    const name = d.atom().toUpperCase();
    const flag = FLAG_KEYS[name];
    if (flag !== undefined) {
      const key: ImapSearchKey = { type: 'flag', flag: flag[0] };
      return flag[1] ? key : not(key);
    }
    const header = HEADER_KEYS[name];
    if (header !== undefined) {
      d.sp();
      return { type: 'header', field: header, value: d.astringBytes() };
    }
    const date = DATE_KEYS[name];
    if (date !== undefined) {
      d.sp();
      return { type: date[0], op: date[1], date: d.date() };
    }
    switch (name) {
      case 'ALL':
        return { type: 'all' };
      case 'RECENT':
        return { type: 'recent' };
      case 'NEW':
        // NEW = RECENT UNSEEN (RFC 3501 section 6.4.4)
        return { type: 'and', keys: [{ type: 'recent' }, not({ type: 'flag', flag: '\\Seen' })] };
      case 'OLD':
        return not({ type: 'recent' });
      case 'KEYWORD':
      case 'UNKEYWORD': {
        d.sp();
        // flag-keyword is an atom; a system flag is tolerated (Dovecot accepts it too) and means that flag.
        const key: ImapSearchKey = { type: 'flag', flag: d.flag() };
        return name === 'KEYWORD' ? key : not(key);
      }
      case 'LARGER':
      case 'SMALLER':
        d.sp();
        return { type: 'size', op: name === 'LARGER' ? 'larger' : 'smaller', size: d.number() };
      case 'BODY':
      case 'TEXT':
        d.sp();
        return { type: name === 'BODY' ? 'body' : 'text', value: d.astringBytes() };
      case 'HEADER': {
        d.sp();
        const field = d.astring();
        d.sp();
        return { type: 'header', field: field.toLowerCase(), value: d.astringBytes() };
      }
      case 'UID':
        d.sp();
        return { type: 'uidSet', set: this.sequenceSet() };
      case 'SAVEDBEFORE':
      case 'SAVEDON':
      case 'SAVEDSINCE':
        this.syntax.add('SAVEDATE');
        d.sp();
        return { type: 'saveDate', op: SAVE_DATE_KEYS[name], date: d.date() };
      case 'SAVEDATESUPPORTED':
        // Every store keeps a save date (MessageRecord.saveDate), so this matches every message (RFC 8514 4.3).
        this.syntax.add('SAVEDATE');
        return { type: 'all' };
      case 'OLDER':
      case 'YOUNGER':
        // interval = nz-number of seconds (RFC 5032 section 4).
        this.syntax.add('WITHIN');
        d.sp();
        return { type: 'within', op: name === 'OLDER' ? 'older' : 'younger', seconds: d.nzNumber() };
      case 'EMAILID':
      case 'THREADID': {
        this.syntax.add('OBJECTID');
        d.sp();
        const id = d.atom();
        if (!OBJECT_ID.test(id)) d.fail(`Invalid ${name} ${id}`);
        return { type: name === 'EMAILID' ? 'emailId' : 'threadId', id };
      }
      case 'NOT':
        d.sp();
        return this.nested(() => not(this.key()));
      case 'OR':
        return this.nested(() => {
          d.sp();
          const left = this.key();
          d.sp();
          const right = this.key();
          return { type: 'or', left, right };
        });
      default:
        return d.fail(`Unknown argument ${name}`);
    }
  }
}

/**
 * `SP [CHARSET SP astring SP] search-key *(SP search-key)`, up to the end of the command.
 */
export function parseSearch(d: ImapDecoder): ParsedSearch {
  if (d.atEnd()) d.fail('Missing search parameters');
  d.sp();
  const syntax = new Set<SearchSyntax>();
  let returnOptions: Set<SearchReturnOption> | null = null;
  if (d.accept('RETURN ')) {
    // search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" (RFC 4466).
    syntax.add('ESEARCH');
    const options = new Set<SearchReturnOption>();
    for (const raw of d.list(() => d.atom())) {
      const option = raw.toUpperCase();
      // Options no supported extension defines MUST be rejected with BAD (RFC 4731 section 3.1).
      if (option !== 'MIN' && option !== 'MAX' && option !== 'ALL' && option !== 'COUNT' && option !== 'SAVE') {
        d.fail(`Unknown SEARCH return option ${raw}`);
      }
      if (option === 'SAVE') syntax.add('SEARCHRES');
      options.add(option);
    }
    returnOptions = options;
    d.sp();
  }
  let charset: string | null = null;
  if (d.accept('CHARSET ')) {
    charset = d.astring();
    d.sp();
  }
  if (d.atEnd()) d.fail('Missing search parameters');
  const parser = new KeyParser(d);
  const key = parser.keys();
  d.end();
  for (const s of parser.syntax) syntax.add(s);
  return { charset, key, returnOptions, syntax };
}

/** Compact ascending UIDs into ranges. */
export function uidRanges(uids: readonly number[]): UidRange[] {
  const ranges: UidRange[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    ranges.push({ start: uids[i], end: uids[j] });
    i = j + 1;
  }
  return ranges;
}

/**
 * UIDs of the messages a sequence set names in the view. Numbers past the last message match nothing
 * (as Dovecot answers `SEARCH 5` in a 2-message mailbox), unlike FETCH where they are an error.
 */
function seqUids(view: SelectedView, set: SequenceSet): number[] {
  if (set.saved === true) return [...view.savedSearch].sort((a, b) => a - b);
  const max = view.exists;
  const ranges = set.ranges
    .map((r) => normalizeRange(r, max))
    .filter((r) => r.start <= max)
    .sort((a, b) => a.start - b.start);
  const out: number[] = [];
  let last = 0;
  for (const r of ranges) {
    const end = Math.min(r.end, max);
    for (let s = Math.max(r.start, last + 1); s <= end; s++) out.push(view.uidAt(s));
    last = Math.max(last, end);
  }
  return out;
}

function recentUids(view: SelectedView): number[] {
  const out: number[] = [];
  for (let s = 1; s <= view.exists; s++) {
    const uid = view.uidAt(s);
    if (view.isRecent(uid)) out.push(uid);
  }
  return out;
}

/** Converts raw search strings to text; null means the charset is unknown. */
export type SearchStringDecoder = (bytes: Buffer) => string;

/**
 * The store query for a parsed key: sequence sets, `$` and \Recent become UID sets of the session's
 * view; strings are decoded with `decode` (the CHARSET).
 */
export function toSearchQuery(key: ImapSearchKey, view: SelectedView, decode: SearchStringDecoder): SearchQuery {
  const convert = (k: ImapSearchKey): SearchKey => {
    switch (k.type) {
      case 'all':
      case 'flag':
      case 'internalDate':
      case 'sentDate':
      case 'size':
      case 'saveDate':
      case 'within':
      case 'emailId':
      case 'threadId':
        return k;
      case 'and':
        return { type: 'and', keys: k.keys.map(convert) };
      case 'or':
        return { type: 'or', left: convert(k.left), right: convert(k.right) };
      case 'not':
        return { type: 'not', key: convert(k.key) };
      case 'seq':
        return { type: 'uid', ranges: uidRanges(seqUids(view, k.set)) };
      case 'uidSet':
        if (k.set.saved === true) return { type: 'uid', ranges: uidRanges(seqUids(view, k.set)) };
        return { type: 'uid', ranges: uidRanges(view.resolve(k.set, true)) };
      case 'recent':
        return { type: 'uid', ranges: uidRanges(recentUids(view)) };
      case 'header':
        return { type: 'header', field: k.field, value: decode(k.value) };
      case 'body':
        return { type: 'body', value: decode(k.value) };
      case 'text':
        return { type: 'text', value: decode(k.value) };
    }
  };
  return convert(key);
}
