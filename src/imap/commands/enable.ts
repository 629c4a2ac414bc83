/**
 * ENABLE (RFC 5161): turn on extensions that change how the server talks to this client (IMAP4rev2,
 * RFC 9051 section 6.3.1). Only names the server advertises as ENABLE-able take effect; the others are
 * ignored, as the RFC requires. The untagged ENABLED lists what this command newly enabled (RFC 5161
 * section 3.1: an already enabled extension is not listed again).
 */
import { atom } from '../protocol/values.ts';
import type { CommandSpec } from './types.ts';

/** ENABLE arguments: the capability names as sent. */
export interface EnableArgs {
  readonly names: readonly string[];
}

/**
 * `ENABLE capability...`. RFC 5161 section 3.1: clients must ENABLE before selecting, but servers "don't
 * have to check"; like Dovecot, it is accepted in the selected state too.
 */
export const enableCommand: CommandSpec<EnableArgs> = {
  name: 'ENABLE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    const names: string[] = [];
    do {
      dec.sp();
      names.push(dec.atom());
    } while (!dec.atEnd());
    dec.end();
    return { names };
  },
  async run(ctx, args) {
    const added = ctx.enable(args.names);
    await ctx.out.untagged(atom('ENABLED'), ...added.map(atom));
    return { text: 'Enabled.' };
  },
};
