/** LOGOUT (RFC 3501 section 6.1.3): the dispatcher writes `* BYE`, then the tagged OK, then closes. */
import type { CommandSpec } from './types.ts';

/** `LOGOUT`. */
export const logoutCommand: CommandSpec<void> = {
  name: 'LOGOUT',
  states: ['notAuthenticated', 'authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  run(ctx) {
    ctx.logout();
    return Promise.resolve({ text: 'Logout completed.' });
  },
};
