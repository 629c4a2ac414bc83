/**
 * NOOP (RFC 3501 section 6.1.2): does nothing, which is the point: the dispatcher flushes pending
 * updates (EXISTS, EXPUNGE, FETCH FLAGS) before the tagged OK, so clients poll with it.
 */
import type { CommandSpec } from './types.ts';

/** `NOOP`. */
export const noopCommand: CommandSpec<void> = {
  name: 'NOOP',
  states: ['notAuthenticated', 'authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  run() {
    return Promise.resolve({ text: 'NOOP completed.' });
  },
};
