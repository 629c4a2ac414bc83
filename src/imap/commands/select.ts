/**
 * SELECT and EXAMINE (RFC 3501 sections 6.3.1, 6.3.2; RFC 9051 section 6.3.2). The session opens the
 * mailbox and writes FLAGS, PERMANENTFLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY and UIDNEXT; the tagged
 * OK says READ-WRITE or READ-ONLY. A failed SELECT leaves no mailbox selected (the previous one was
 * closed first). Around the session's responses this command adds:
 * - `* OK [CLOSED]` when a mailbox was selected: required by RFC 9051 (appendix E item 9), and Dovecot
 *   sends it to IMAP4rev1 clients too, so it goes to everyone (it marks where responses about the old
 *   mailbox end, RFC 7162 section 3.2.11).
 * - `* LIST (attributes) "/" name` once IMAP4rev2 is enabled (RFC 9051 section 6.3.2, appendix E item 10).
 * - `* OK [MAILBOXID (id)]` when OBJECTID is advertised (RFC 8474 section 4.2).
 */
import { HIERARCHY_SEPARATOR } from '../../core/mailbox-name.ts';
import { CODES } from '../protocol/response-codes.ts';
import { atom } from '../protocol/values.ts';
import { mailboxToWire, utf8Enabled } from '../wire/mutf7.ts';
import { parseMailboxArg, userOf, type MailboxArg } from './mailbox-arg.ts';
import { featureActive, isRev2 } from './features.ts';
import { mailboxAttributes, readMailboxTree } from './list.ts';
import type { CommandSpec } from './types.ts';

function selectSpec(name: 'SELECT' | 'EXAMINE', readOnly: boolean): CommandSpec<MailboxArg> {
  return {
    name,
    states: ['authenticated', 'selected'],
    expunge: 'allow',
    parse: parseMailboxArg,
    async run(ctx, args) {
      if (ctx.selected) {
        // ctx.select closes the previous mailbox before opening the new one, whether or not that succeeds.
        await ctx.unselect({ expunge: false });
        await ctx.out.status('OK', 'Previous mailbox closed.', { name: CODES.CLOSED });
      }
      await ctx.select(args.mailbox, readOnly);
      const selected = ctx.selected;
      if (selected) {
        const info = selected.mailbox.info;
        if (isRev2(ctx)) {
          const tree = await readMailboxTree(userOf(ctx), true);
          await ctx.out.untagged(
            atom('LIST'),
            mailboxAttributes(tree, info),
            HIERARCHY_SEPARATOR,
            mailboxToWire(info.name, utf8Enabled(ctx.enabled)),
          );
        }
        if (featureActive(ctx, 'OBJECTID')) await ctx.out.status('OK', 'Ok', { name: 'MAILBOXID', args: [[atom(info.id)]] });
      }
      const ro = selected?.readOnly ?? readOnly;
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
