/**
 * UNAUTHENTICATE (RFC 8437): return to the not-authenticated state on the same connection (connection
 * reuse by proxies and admin tools). The session does the reset; this command only needs the extra
 * context method, which commands cannot reach through CommandContext (commands never import the session,
 * DESIGN.md section 1), so it is declared here and checked at run time.
 */
import { ImapError } from '../protocol/errors.ts';
import type { CommandContext, CommandSpec } from './types.ts';

/** What UNAUTHENTICATE needs beyond CommandContext (ImapSession implements it). */
export interface UnauthenticateContext extends CommandContext {
  /** Reset to not-authenticated; false when the connection will be closed instead (RFC 8437 section 3). */
  unauthenticate(): Promise<boolean>;
}

function canUnauthenticate(ctx: CommandContext): ctx is UnauthenticateContext {
  return typeof (ctx as Partial<UnauthenticateContext>).unauthenticate === 'function';
}

/** `UNAUTHENTICATE`. */
export const unauthenticateCommand: CommandSpec<void> = {
  name: 'UNAUTHENTICATE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    // RFC 8437 section 3: a NO is not permitted; a context that cannot do it is a server bug.
    if (!canUnauthenticate(ctx)) throw new ImapError('BAD', 'UNAUTHENTICATE not supported by this session');
    await ctx.unauthenticate();
    return { text: 'Unauthenticate completed.' };
  },
};
