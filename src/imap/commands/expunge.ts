/**
 * EXPUNGE (RFC 3501 section 6.4.3). The store reports the removed UIDs through the change feed; the
 * dispatcher turns them into untagged EXPUNGE responses before the tagged OK.
 */
import { ImapErrors } from '../protocol/errors.ts';
import type { CommandSpec } from './types.ts';

/** `EXPUNGE`. */
export const expungeCommand: CommandSpec<void> = {
  name: 'EXPUNGE',
  states: ['selected'],
  expunge: 'allow',
  parse(dec) {
    dec.end();
  },
  async run(ctx) {
    const sel = ctx.selected;
    if (!sel) throw ImapErrors.noMailboxSelected();
    if (sel.readOnly) throw ImapErrors.mailboxReadOnly();
    await sel.mailbox.expunge();
    return { text: 'Expunge completed.' };
  },
};
