/** CHECK (RFC 3501 section 6.4.1): a checkpoint; every store here is durable per call, so like NOOP. */
import type { CommandSpec } from './types.ts';

/** `CHECK`. */
export const checkCommand: CommandSpec<void> = {
  name: 'CHECK',
  states: ['selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  run() {
    return Promise.resolve({ text: 'Check completed.' });
  },
};
