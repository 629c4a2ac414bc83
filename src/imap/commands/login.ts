/**
 * LOGIN (RFC 3501 section 6.2.3). Refused with `NO [PRIVACYREQUIRED]` while plaintext authentication is
 * not allowed (LOGINDISABLED advertised); bad credentials are delayed and counted by the session.
 */
import { isStoreError } from '../../store/errors.ts';
import type { User } from '../../store/types.ts';
import { ImapErrors } from '../protocol/errors.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom } from '../protocol/values.ts';
import type { CommandContext, CommandResult, CommandSpec } from './types.ts';

/** LOGIN arguments. */
export interface LoginArgs {
  readonly username: string;
  readonly password: string;
}

/** Check a password through the backend: shared by LOGIN and AUTHENTICATE PLAIN. */
export async function passwordLogin(ctx: CommandContext, username: string, password: string): Promise<User> {
  try {
    return await ctx.backend.login(username, password, {
      protocol: 'imap',
      remoteAddress: ctx.connection.remoteAddress,
      secure: ctx.connection.secure,
    });
  } catch (err) {
    if (isStoreError(err, 'authFailed')) {
      ctx.log('info', 'authentication failed', { user: username });
      await ctx.authFailed();
      throw ImapErrors.authenticationFailed();
    }
    throw err;
  }
}

/** The tagged OK after a successful login carries the new capabilities (as Dovecot does, RFC 3501 7.1). */
export async function loggedIn(ctx: CommandContext, user: User): Promise<CommandResult> {
  await ctx.login(user);
  return { code: { name: CODES.CAPABILITY, args: ctx.capabilities().map(atom) }, text: 'Logged in' };
}

/** `LOGIN userid password`. */
export const loginCommand: CommandSpec<LoginArgs> = {
  name: 'LOGIN',
  states: ['notAuthenticated'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const username = dec.astring();
    dec.sp();
    const password = dec.astring();
    dec.end();
    return { username, password };
  },
  async run(ctx, args) {
    if (!ctx.plaintextAuthAllowed) throw ImapErrors.authDisabled();
    const user = await passwordLogin(ctx, args.username, args.password);
    return loggedIn(ctx, user);
  },
};
