/**
 * UNSELECT (RFC 3691): leave the selected state like CLOSE, but without expunging \Deleted messages
 * (also part of IMAP4rev2, RFC 9051 section 6.4.2).
 */
import type { CommandSpec } from './types.ts';

/** `UNSELECT`. */
export const unselectCommand: CommandSpec<void> = {
  name: 'UNSELECT',
  states: ['selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    await ctx.unselect({ expunge: false });
    return { text: 'Unselect completed.' };
  },
};
