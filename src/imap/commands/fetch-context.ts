/** Small helpers shared by the message commands (FETCH, STORE, SEARCH, COPY). */
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
