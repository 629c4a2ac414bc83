/**
 * SEARCH and UID SEARCH (RFC 3501 sections 6.4.4 and 6.4.8) with the extensions that shape them:
 * ESEARCH result options and the ESEARCH response (RFC 4731), SAVE and `$` (RFC 5182 SEARCHRES), and
 * the keys of WITHIN (RFC 5032), SAVEDATE (RFC 8514) and OBJECTID (RFC 8474). After ENABLE IMAP4rev2
 * every SEARCH answers with ESEARCH (RFC 9051 section 6.4.4 and appendix E item 4).
 *
 * Keys are parsed by search-keys.ts; the session view turns sequence sets, `$` and \Recent into UIDs;
 * the store evaluates the query.
 */
import { decodeSearchCharset } from '../../message/decode.ts';
import { isStoreError } from '../../store/errors.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom } from '../protocol/values.ts';
import { formatUidSet } from '../wire/sequence-set.ts';
import { selectedView } from './fetch-context.ts';
import { featureActive, isRev2 } from './features.ts';
import {
  parseSearch,
  toSearchQuery,
  type ParsedSearch,
  type SearchReturnOption,
  type SearchStringDecoder,
} from './search-keys.ts';
import type { CommandContext, CommandResult, CommandSpec, SelectedView } from './types.ts';

/**
 * Charsets named in BADCHARSET: the ones every client may rely on. Many more are accepted (everything
 * iconv-lite and libmime know), too many to list.
 */
export const ADVERTISED_SEARCH_CHARSETS = ['US-ASCII', 'UTF-8'] as const;

/** Numbers per `out.raw` chunk of a `* SEARCH` line: the line is long, its pieces are not. */
const SEARCH_CHUNK = 4096;

/** The CHARSET as a string decoder, or an ImapError NO [BADCHARSET (...)] (RFC 3501 section 6.4.4). */
export function searchDecoder(charset: string | null): SearchStringDecoder {
  if (charset === null) return (bytes) => bytes.toString('utf8');
  if (decodeSearchCharset(Buffer.alloc(0), charset) === null) {
    throw new ImapError('NO', `Unknown charset ${charset}`, {
      name: CODES.BADCHARSET,
      args: [ADVERTISED_SEARCH_CHARSETS.map((c) => atom(c))],
    });
  }
  return (bytes) => decodeSearchCharset(bytes, charset) ?? bytes.toString('utf8');
}

/** `* SEARCH n n n` (sequence numbers, or UIDs for UID SEARCH); `* SEARCH` when nothing matched. */
async function writeSearchResponse(ctx: CommandContext, numbers: readonly number[]): Promise<void> {
  if (numbers.length === 0) {
    await ctx.out.raw(Buffer.from('* SEARCH\r\n'));
    return;
  }
  for (let i = 0; i < numbers.length; i += SEARCH_CHUNK) {
    const chunk = numbers.slice(i, i + SEARCH_CHUNK).join(' ');
    const head = i === 0 ? '* SEARCH ' : ' ';
    const tail = i + SEARCH_CHUNK >= numbers.length ? '\r\n' : '';
    await ctx.out.raw(Buffer.from(head + chunk + tail));
  }
}

/**
 * The ESEARCH response (RFC 4731 section 3.2, RFC 9051 section 7.3.4): `* ESEARCH (TAG "t") [UID]`
 * then MIN, MAX, ALL and COUNT in that order, as Dovecot writes them. MIN, MAX and ALL are left out
 * when nothing matched; COUNT is always there when asked for. `numbers` is ascending.
 */
export function esearchLine(tag: string, byUid: boolean, options: ReadonlySet<SearchReturnOption>, numbers: readonly number[]): string {
  // A tag is ASTRING-CHARs without "+": never a quote or a backslash, so it can be quoted as is.
  let line = `* ESEARCH (TAG "${tag}")`;
  if (byUid) line += ' UID';
  const n = numbers.length;
  if (n > 0 && options.has('MIN')) line += ` MIN ${numbers[0]}`;
  if (n > 0 && options.has('MAX')) line += ` MAX ${numbers[n - 1]}`;
  if (n > 0 && options.has('ALL')) line += ` ALL ${formatUidSet(numbers)}`;
  if (options.has('COUNT')) line += ` COUNT ${n}`;
  return line + '\r\n';
}

/**
 * What SAVE stores (RFC 5182 section 2.4): MIN and/or MAX alone save only those messages; with ALL or
 * COUNT (or SAVE alone) every match. `uids` is ascending; `$` is kept as UIDs whatever the command.
 */
function savedResult(options: ReadonlySet<SearchReturnOption>, uids: readonly number[]): number[] {
  if (uids.length === 0) return [];
  if (options.has('ALL') || options.has('COUNT')) return [...uids];
  const min = options.has('MIN');
  const max = options.has('MAX');
  if (!min && !max) return [...uids];
  const out: number[] = [];
  if (min) out.push(uids[0]);
  if (max && (!min || uids.length > 1)) out.push(uids[uids.length - 1]);
  return out;
}

/** Extension syntax is BAD unless the extension is in force (RFC 4731 section 3.1 for RETURN options). */
function checkSyntax(ctx: CommandContext, args: ParsedSearch): void {
  for (const ext of args.syntax) {
    if (!featureActive(ctx, ext)) throw new ImapError('BAD', `SEARCH syntax of ${ext} is not enabled`, { name: CODES.CLIENTBUG });
  }
}

async function runSearch(ctx: CommandContext, args: ParsedSearch, byUid: boolean): Promise<CommandResult> {
  const view = selectedView(ctx);
  checkSyntax(ctx, args);
  const save = args.returnOptions?.has('SAVE') === true;
  try {
    return await search(ctx, view, args, byUid);
  } catch (err) {
    // A SEARCH with SAVE that fails with NO empties `$`; a BAD leaves it alone (RFC 5182 section 2.1).
    if (save && ((err instanceof ImapError && err.status === 'NO') || isStoreError(err))) view.savedSearch = [];
    throw err;
  }
}

async function search(ctx: CommandContext, view: SelectedView, args: ParsedSearch, byUid: boolean): Promise<CommandResult> {
  const decode = searchDecoder(args.charset);
  const query = toSearchQuery(args.key, view, decode);
  const found = await view.mailbox.search(query);
  // The store also sees messages this view has not announced yet (EXISTS not sent): leave them out.
  const uids: number[] = [];
  const numbers: number[] = [];
  for (const uid of found) {
    const seq = view.seqOf(uid);
    if (seq === 0) continue;
    uids.push(uid);
    numbers.push(byUid ? uid : seq);
  }
  let options = args.returnOptions;
  if (options === null) {
    if (!isRev2(ctx)) {
      await writeSearchResponse(ctx, numbers);
      return { text: 'Search completed.' };
    }
    // IMAP4rev2: SEARCH answers with ESEARCH, as if RETURN (ALL) had been given (RFC 9051 section 6.4.4).
    options = new Set(['ALL']);
  }
  // RETURN () means ALL (RFC 4731 section 3.1); SAVE alone sends no ESEARCH (RFC 5182 section 2.4).
  const effective: ReadonlySet<SearchReturnOption> = options.size === 0 ? new Set(['ALL']) : options;
  if (effective.has('SAVE')) view.savedSearch = savedResult(effective, uids);
  if (!(effective.size === 1 && effective.has('SAVE'))) {
    await ctx.out.raw(Buffer.from(esearchLine(ctx.tag, byUid, effective, numbers), 'latin1'));
  }
  return { text: 'Search completed.' };
}

/** SEARCH and UID SEARCH. Sequence-number SEARCH defers EXPUNGE (RFC 3501 section 7.4.1). */
export const searchCommands: readonly CommandSpec[] = [
  {
    name: 'SEARCH',
    states: ['selected'],
    expunge: 'defer',
    parse: (d) => parseSearch(d),
    run: (ctx, args) => runSearch(ctx, args, false),
  } satisfies CommandSpec<ParsedSearch>,
  {
    name: 'UID SEARCH',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseSearch(d),
    run: (ctx, args) => runSearch(ctx, args, true),
  } satisfies CommandSpec<ParsedSearch>,
];
