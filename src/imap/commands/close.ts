/**
 * CLOSE (RFC 3501 section 6.4.2): expunge \Deleted messages silently (no untagged EXPUNGE; nothing at
 * all after EXAMINE) and return to the authenticated state.
 */
import type { CommandSpec } from './types.ts';

/** `CLOSE`. */
export const closeCommand: CommandSpec<void> = {
  name: 'CLOSE',
  states: ['selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    await ctx.unselect({ expunge: true });
    return { text: 'Close completed.' };
  },
};
