/**
 * SEARCH and UID SEARCH (RFC 3501 sections 6.4.4 and 6.4.8). Keys are parsed by search-keys.ts; the
 * session view turns sequence sets and \Recent into UIDs; the store evaluates the query.
 */
import { decodeSearchCharset } from '../../message/decode.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom } from '../protocol/values.ts';
import { selectedView } from './fetch-context.ts';
import { parseSearch, toSearchQuery, type ParsedSearch, type SearchStringDecoder } from './search-keys.ts';
import type { CommandContext, CommandResult, CommandSpec } from './types.ts';

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

async function runSearch(ctx: CommandContext, args: ParsedSearch, byUid: boolean): Promise<CommandResult> {
  const view = selectedView(ctx);
  const decode = searchDecoder(args.charset);
  const query = toSearchQuery(args.key, view, decode);
  const uids = await view.mailbox.search(query);
  // The store also sees messages this view has not announced yet (EXISTS not sent): leave them out.
  const numbers: number[] = [];
  for (const uid of uids) {
    const seq = view.seqOf(uid);
    if (seq !== 0) numbers.push(byUid ? uid : seq);
  }
  await writeSearchResponse(ctx, numbers);
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
