/** Small helpers shared by the message commands (FETCH, STORE, SEARCH, COPY, MOVE, UID EXPUNGE). */
import { ImapError } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import type { SequenceSet } from '../wire/sequence-set.ts';
import type { CommandContext, SelectedView } from './types.ts';

/** The selected view; the command table only lets these commands run in the selected state. */
export function selectedView(ctx: CommandContext): SelectedView {
  if (ctx.selected === null) throw new Error(`${ctx.tag}: command needs a selected mailbox`);
  return ctx.selected;
}

/** Whether quoted strings may carry UTF-8 on this connection (RFC 6855 / RFC 9051 section 4.3). */
export function utf8Enabled(ctx: CommandContext): boolean {
  return ctx.enabled.has('UTF8=ACCEPT') || ctx.enabled.has('IMAP4REV2');
}

/** Whether the client enabled IMAP4rev2 (RFC 9051 appendix A: the rev2 behaviours apply only then). */
export function imap4rev2(ctx: CommandContext): boolean {
  return ctx.enabled.has('IMAP4REV2');
}

/** Extensions RFC 9051 folds into IMAP4rev2 (appendix E item 2) that this module's commands implement. */
const FOLDED_INTO_REV2: ReadonlySet<string> = new Set(['ESEARCH', 'SEARCHRES', 'UIDPLUS', 'MOVE', 'BINARY']);

/**
 * Whether an extension's syntax and responses are in force: it is advertised now, or it is part of
 * IMAP4rev2 and the client enabled IMAP4rev2.
 */
export function extensionActive(ctx: CommandContext, capability: string): boolean {
  if (imap4rev2(ctx) && FOLDED_INTO_REV2.has(capability)) return true;
  return ctx.capabilities().includes(capability);
}

/**
 * `$` (RFC 5182) is syntax of SEARCHRES: without it (or IMAP4rev2) a `$` set is a BAD like any other
 * unknown syntax.
 */
export function checkSavedSet(ctx: CommandContext, set: SequenceSet): void {
  if (set.saved === true && !extensionActive(ctx, 'SEARCHRES')) {
    throw new ImapError('BAD', 'Invalid sequence set $ (SEARCHRES is not enabled)', { name: CODES.CLIENTBUG });
  }
}
