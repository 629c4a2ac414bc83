/**
 * SELECT and EXAMINE (RFC 3501 sections 6.3.1, 6.3.2). The session opens the mailbox and writes FLAGS,
 * PERMANENTFLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY and UIDNEXT; the tagged OK says READ-WRITE or
 * READ-ONLY. A failed SELECT leaves no mailbox selected (the previous one was closed first).
 */
import { CODES } from '../protocol/response-codes.ts';
import type { CommandSpec } from './types.ts';

function selectSpec(name: 'SELECT' | 'EXAMINE', readOnly: boolean): CommandSpec<{ mailbox: string }> {
  return {
    name,
    states: ['authenticated', 'selected'],
    expunge: 'allow',
    parse(dec) {
      dec.sp();
      const mailbox = dec.mailbox();
      dec.end();
      return { mailbox };
    },
    async run(ctx, args) {
      await ctx.select(args.mailbox, readOnly);
      const ro = ctx.selected?.readOnly ?? readOnly;
      return {
        code: { name: ro ? CODES.READ_ONLY : CODES.READ_WRITE },
        text: `${readOnly ? 'Examine' : 'Select'} completed.`,
      };
    },
  };
}

/** `SELECT mailbox`. */
export const selectCommand = selectSpec('SELECT', false);
/** `EXAMINE mailbox`. */
export const examineCommand = selectSpec('EXAMINE', true);
