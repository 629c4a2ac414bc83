/**
 * Small helpers shared by the message commands (FETCH, STORE, SEARCH, COPY, MOVE, UID EXPUNGE). Whether an
 * extension is in force is asked of features.ts (featureActive, isRev2).
 */
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { featureActive, isRev2 } from './features.ts';
import type { SequenceSet } from '../wire/sequence-set.ts';
import type { CommandContext, SelectedView } from './types.ts';

/** The selected view; the command table only lets these commands run in the selected state. */
export function selectedView(ctx: CommandContext): SelectedView {
  if (ctx.selected === null) throw new Error(`${ctx.tag}: command needs a selected mailbox`);
  return ctx.selected;
}

/** Whether quoted strings may carry UTF-8 on this connection (RFC 6855 / RFC 9051 section 4.3). */
export function utf8Enabled(ctx: CommandContext): boolean {
  return ctx.enabled.has('UTF8=ACCEPT') || isRev2(ctx);
}

/**
 * `$` (RFC 5182) is syntax of SEARCHRES: without it (or IMAP4rev2) a `$` set is a BAD like any other
 * unknown syntax.
 */
export function checkSavedSet(ctx: CommandContext, set: SequenceSet): void {
  if (set.saved === true && !featureActive(ctx, 'SEARCHRES')) {
    throw new ImapError('BAD', 'Invalid sequence set $ (SEARCHRES is not enabled)', { name: CODES.CLIENTBUG });
  }
}
