/** CAPABILITY (RFC 3501 section 6.1.1): valid in every state; the list depends on state and TLS. */
import { atom } from '../protocol/values.ts';
import type { CommandSpec } from './types.ts';

/** `CAPABILITY` -> `* CAPABILITY IMAP4rev1 ...`. */
export const capabilityCommand: CommandSpec<void> = {
  name: 'CAPABILITY',
  states: ['notAuthenticated', 'authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    await ctx.out.untagged(atom('CAPABILITY'), ...ctx.capabilities().map(atom));
    return { text: 'Capability completed.' };
  },
};
