/**
 * STORE and UID STORE (RFC 3501 sections 6.4.6 and 6.4.8): FLAGS, +FLAGS, -FLAGS and their .SILENT forms,
 * with a parenthesized flag list or bare flags. CONDSTORE's UNCHANGEDSINCE is not handled here.
 */
import type { FlagChange, FlagUpdate } from '../../store/types.ts';
import { ImapErrors } from '../protocol/errors.ts';
import { SYSTEM_FLAGS } from '../../core/flags.ts';
import { flagsValue } from '../fetch/flags.ts';
import type { ImapDecoder } from '../wire/decoder.ts';
import type { SequenceSet } from '../wire/sequence-set.ts';
import { encodeValue, type ValueEncodingOptions } from '../wire/value-encoder.ts';
import { checkSavedSet, selectedView, utf8Enabled } from './fetch-context.ts';
import { isRev2 } from './features.ts';
import type { CommandContext, CommandResult, CommandSpec, SelectedView } from './types.ts';

/** Decoded STORE arguments. */
export interface StoreArgs {
  readonly set: SequenceSet;
  readonly op: FlagChange['op'];
  readonly silent: boolean;
  readonly flags: readonly string[];
}

/** FETCH lines per `out.raw` call: batches many small responses into few socket writes. */
export const STORE_RESPONSE_BATCH = 500;

const STORABLE = new Set<string>(SYSTEM_FLAGS);

const OPS: Readonly<Record<string, FlagChange['op']>> = { '': 'set', '+': 'add', '-': 'remove' };

/**
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))). A system flag
 * other than the five storable ones (\Recent included: clients cannot change it, RFC 3501 section 2.3.2)
 * is a BAD, as Dovecot answers it.
 */
export function parseStoreArgs(d: ImapDecoder): StoreArgs {
  d.sp();
  const set = d.sequenceSet();
  d.sp();
  const sign = d.accept('+') ? '+' : d.accept('-') ? '-' : '';
  const item = d.atom().toUpperCase();
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') d.fail(`invalid STORE data item ${sign}${item}`);
  d.sp();
  let flags: string[];
  if (d.peekByte() === 0x28) {
    flags = d.flagList();
  } else {
    flags = [d.flag()];
    while (d.peekByte() === 0x20) {
      d.sp();
      flags.push(d.flag());
    }
  }
  d.end();
  for (const flag of flags) {
    if (flag.startsWith('\\') && !STORABLE.has(flag)) d.fail(`Invalid system flag ${flag.toUpperCase()}`);
  }
  return { set, op: OPS[sign], silent: item === 'FLAGS.SILENT', flags };
}

/** `* seq FETCH ([UID uid ]FLAGS (...))` lines for the messages whose flags changed, in UID order. */
async function reportUpdates(
  ctx: CommandContext,
  view: SelectedView,
  updates: readonly FlagUpdate[],
  byUid: boolean,
): Promise<void> {
  const enc: ValueEncodingOptions = { utf8: utf8Enabled(ctx) };
  // IMAP4rev2 has no \Recent (RFC 9051 appendix E item 12).
  const showRecent = !isRev2(ctx);
  const sorted = [...updates].sort((a, b) => a.uid - b.uid);
  let parts: Buffer[] = [];
  let lines = 0;
  for (const update of sorted) {
    const seq = view.seqOf(update.uid);
    if (seq === 0) continue;
    parts.push(Buffer.from(byUid ? `* ${seq} FETCH (UID ${update.uid} FLAGS ` : `* ${seq} FETCH (FLAGS `));
    encodeValue(flagsValue(update.flags, showRecent && view.isRecent(update.uid)), parts, enc);
    parts.push(Buffer.from(')\r\n'));
    if (++lines >= STORE_RESPONSE_BATCH) {
      await ctx.out.raw(Buffer.concat(parts));
      parts = [];
      lines = 0;
    }
  }
  if (parts.length > 0) await ctx.out.raw(Buffer.concat(parts));
}

async function runStore(ctx: CommandContext, args: StoreArgs, byUid: boolean): Promise<CommandResult> {
  const view = selectedView(ctx);
  // Checked before resolving the set so that an EXAMINEd mailbox refuses every STORE the same way.
  if (view.readOnly) throw ImapErrors.mailboxReadOnly();
  checkSavedSet(ctx, args.set);
  const uids = view.resolve(args.set, byUid);
  if (uids.length === 0) return { text: 'Store completed.' };
  const result = await view.mailbox.storeFlags(uids, { op: args.op, flags: args.flags });
  // Like Dovecot, only messages whose flags changed are reported; .SILENT reports none (RFC 3501 6.4.6).
  if (!args.silent) await reportUpdates(ctx, view, result.updated, byUid);
  return { text: 'Store completed.' };
}

/** STORE and UID STORE. Sequence-number STORE defers EXPUNGE (RFC 3501 section 7.4.1). */
export const storeCommands: readonly CommandSpec[] = [
  {
    name: 'STORE',
    states: ['selected'],
    expunge: 'defer',
    parse: (d) => parseStoreArgs(d),
    run: (ctx, args) => runStore(ctx, args, false),
  } satisfies CommandSpec<StoreArgs>,
  {
    name: 'UID STORE',
    states: ['selected'],
    expunge: 'allow',
    parse: (d) => parseStoreArgs(d),
    run: (ctx, args) => runStore(ctx, args, true),
  } satisfies CommandSpec<StoreArgs>,
];
