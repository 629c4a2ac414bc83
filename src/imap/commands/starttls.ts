/**
 * STARTTLS (RFC 3501 section 6.2.1, RFC 2595): the session writes the tagged OK and swaps the stream in
 * the same tick, discarding anything the client pipelined behind the command.
 */
import { CAP } from '../protocol/capabilities.ts';
import { ImapError } from '../protocol/errors.ts';
import type { CommandSpec } from './types.ts';

/** `STARTTLS`. */
export const starttlsCommand: CommandSpec<void> = {
  name: 'STARTTLS',
  states: ['notAuthenticated'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  run(ctx) {
    if (ctx.connection.secure) return Promise.reject(new ImapError('BAD', 'TLS is already active.'));
    if (!ctx.capabilities().includes(CAP.STARTTLS)) return Promise.reject(new ImapError('BAD', 'TLS support is not configured.'));
    ctx.upgradeAfterResponse('starttls');
    return Promise.resolve({ text: 'Begin TLS negotiation now.' });
  },
};
