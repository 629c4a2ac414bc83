/**
 * FETCH and UID FETCH (RFC 3501 sections 6.4.5 and 6.4.8, RFC 3516 BINARY, RFC 8514 SAVEDATE, RFC 8474
 * EMAILID/THREADID, RFC 9051 after ENABLE IMAP4rev2). The att list becomes a FetchPlan
 * (imap/fetch/plan.ts), executed by imap/fetch/execute.ts; sections are located by src/message.
 */
import { executeFetch } from '../fetch/execute.ts';
import { buildFetchPlan, fetchAttList, type FetchItem } from '../fetch/plan.ts';
import { UnknownCteError } from '../fetch/literal-data.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import type { SequenceSet } from '../wire/sequence-set.ts';
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { checkSavedSet, selectedView, utf8Enabled } from './fetch-context.ts';
import { featureActive, isRev2 } from './features.ts';
import type { CommandContext, CommandResult, CommandSpec } from './types.ts';

/** Decoded FETCH arguments. */
export interface FetchArgs {
  readonly set: SequenceSet;
  readonly items: readonly FetchItem[];
}

/** `SP sequence-set SP att-list`, up to the end of the command. */
export function parseFetchArgs(d: ImapDecoder): FetchArgs {
  d.sp();
  const set = d.sequenceSet();
  d.sp();
  const items = fetchAttList(d);
  d.end();
  return { set, items };
}

async function runFetch(ctx: CommandContext, args: FetchArgs, byUid: boolean): Promise<CommandResult | void> {
  const view = selectedView(ctx);
  checkSavedSet(ctx, args.set);
  const plan = buildFetchPlan(args.items, { uid: byUid });
  // Items of an extension that is not offered are unknown items: BAD, as before the extension existed.
  for (const ext of plan.extensions) {
    if (!featureActive(ctx, ext)) throw new ImapError('BAD', `FETCH item of ${ext} is not enabled`, { name: CODES.CLIENTBUG });
  }
  const uids = view.resolve(args.set, byUid);
  try {
    // IMAP4rev2 has no \Recent (RFC 9051 appendix E item 12).
    const outcome = await executeFetch(view, ctx.out, plan, uids, { utf8: utf8Enabled(ctx), recent: !isRev2(ctx) });
    // RFC 5530 EXPUNGEISSUED: another session expunged some of the messages this view still shows
    // (the session holds the EXPUNGE back during FETCH, RFC 3501 section 7.4.1). A UID FETCH simply
    // skips UIDs that no longer exist (section 6.4.8).
    if (outcome.missing > 0 && !byUid) {
      return { status: 'NO', code: { name: 'EXPUNGEISSUED' }, text: 'Some of the requested messages no longer exist.' };
    }
  } catch (err) {
    if (err instanceof UnknownCteError) {
      return { status: 'NO', code: { name: 'UNKNOWN-CTE' }, text: 'Unknown Content-Transfer-Encoding' };
    }
    throw err;
  }
  return { text: 'Fetch completed.' };
}

/** FETCH and UID FETCH. Sequence-number FETCH defers EXPUNGE (RFC 3501 section 7.4.1). */
export const fetchCommands: readonly CommandSpec[] = [
  {
    name: 'FETCH',
    states: ['selected'],
    expunge: 'defer',
    parse: (d) => parseFetchArgs(d),
    run: (ctx, args) => runFetch(ctx, args, false),
  } satisfies CommandSpec<FetchArgs>,
  {
    name: 'UID FETCH',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseFetchArgs(d),
    run: (ctx, args) => runFetch(ctx, args, true),
  } satisfies CommandSpec<FetchArgs>,
];
