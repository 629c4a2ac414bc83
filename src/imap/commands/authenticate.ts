/**
 * AUTHENTICATE (RFC 3501 section 6.2.2) over the protocol-neutral SASL state machines (auth/types.ts),
 * with the RFC 4959 initial response accepted. `*` from the client cancels with BAD.
 */
import { ImapError, ImapErrors } from '../protocol/errors.ts';
import { PLAINTEXT_MECHANISMS } from '../protocol/capabilities.ts';
import { CODES } from '../protocol/response-codes.ts';
import { loggedIn, passwordLogin } from './login.ts';
import type { CommandSpec } from './types.ts';

/** Most challenge/response rounds before the exchange is abandoned (PLAIN needs 1, SCRAM 2). */
export const MAX_SASL_ROUNDS = 10;

/** AUTHENTICATE arguments. */
export interface AuthenticateArgs {
  readonly mechanism: string;
  /** RFC 4959 initial response; '=' (empty) becomes an empty Buffer; absent is null. */
  readonly initial: string | null;
}

/** Strict base64 (RFC 4648 section 4, padding required): anything else is a client error. */
function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** `AUTHENTICATE mechanism [initial-response]`. */
export const authenticateCommand: CommandSpec<AuthenticateArgs> = {
  name: 'AUTHENTICATE',
  states: ['notAuthenticated'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mechanism = dec.atom().toUpperCase();
    let initial: string | null = null;
    if (!dec.atEnd()) {
      dec.sp();
      initial = dec.rest().toString('latin1');
    }
    dec.end();
    return { mechanism, initial };
  },
  async run(ctx, args) {
    if (PLAINTEXT_MECHANISMS.has(args.mechanism) && !ctx.plaintextAuthAllowed) throw ImapErrors.authDisabled();
    const sasl = ctx.saslMechanism(args.mechanism);
    if (!sasl) throw new ImapError('NO', 'Unsupported authentication mechanism.', { name: CODES.CANNOT });
    let response: Buffer | null = null;
    if (args.initial !== null) {
      response = args.initial === '=' ? Buffer.alloc(0) : decodeBase64(args.initial);
      if (response === null) throw new ImapError('BAD', 'Invalid base64 data in initial response.');
    }
    for (let round = 0; round < MAX_SASL_ROUNDS; round++) {
      const step = await sasl.step(response);
      if (step.type === 'failure') {
        await ctx.authFailed();
        throw ImapErrors.authenticationFailed();
      }
      if (step.type === 'success') {
        // RFC 3501 7.5 has no way to send additional data with the tagged OK: one more round trip.
        if (step.data && step.data.length > 0) await ctx.continuation(step.data.toString('base64'));
        const id = step.identity;
        if (id.authzid !== undefined && id.authzid !== id.username) {
          await ctx.authFailed();
          throw new ImapError('NO', 'Authorization failed.', { name: CODES.AUTHORIZATIONFAILED });
        }
        let user;
        if (id.kind === 'password') {
          user = await passwordLogin(ctx, id.username, id.password);
        } else {
          user = ctx.backend.openUser ? await ctx.backend.openUser(id.username, { protocol: 'imap', remoteAddress: ctx.connection.remoteAddress, secure: ctx.connection.secure }) : null;
          if (!user) {
            await ctx.authFailed();
            throw ImapErrors.authenticationFailed();
          }
        }
        return loggedIn(ctx, user);
      }
      const line = (await ctx.continuation(step.data.toString('base64'))).toString('latin1');
      if (line === '*') throw new ImapError('BAD', 'Authentication aborted by client.');
      response = decodeBase64(line);
      if (response === null) throw new ImapError('BAD', 'Invalid base64 data in continued response.');
    }
    throw new ImapError('NO', 'Too many authentication rounds.', { name: CODES.AUTHENTICATIONFAILED });
  },
};
