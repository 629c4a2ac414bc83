/**
 * CREATE (RFC 3501 section 6.3.3), with RFC 4466 create parameters: USE (RFC 6154 section 3,
 * CREATE-SPECIAL-USE) sets special-use attributes; a successful CREATE answers OK [MAILBOXID (id)] when
 * OBJECTID is advertised (RFC 8474 section 4.1). A trailing hierarchy separator is dropped (the name
 * "foo/" creates "foo", as the RFC suggests); missing parents are created by the store.
 */
import type { SpecialUse } from '../../store/types.ts';
import { ImapError } from '../protocol/errors.ts';
import { atom } from '../protocol/values.ts';
import { featureActive, requireFeature } from './features.ts';
import { newMailboxName, userOf, type MailboxArg } from './mailbox-arg.ts';
import type { CommandResult, CommandSpec } from './types.ts';


/** CREATE arguments: the name and, with CREATE-SPECIAL-USE, the USE attributes (null when not given). */
export interface CreateArgs extends MailboxArg {
  readonly use: readonly string[] | null;
}

/** RFC 6154 section 5.3: the NO code when a special use cannot be assigned. */
export const USEATTR = 'USEATTR';
/** RFC 8474 section 4.1 response code. */
export const MAILBOXID = 'MAILBOXID';

/**
 * Special uses CREATE may assign. \All and \Flagged name virtual mailboxes (every message, every flagged
 * message) that the stores cannot maintain, so they are refused with USEATTR (RFC 6154 section 3).
 */
export const CREATABLE_SPECIAL_USES: ReadonlySet<string> = new Set(['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash']);

/** Canonical case of a special-use attribute ("\sent" -> "\Sent"), or the input when unknown. */
function canonicalUse(attr: string): string {
  const lower = attr.toLowerCase();
  for (const use of ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash']) {
    if (use.toLowerCase() === lower) return use;
  }
  return attr;
}

/** `CREATE mailbox [SP "(" create-param *(SP create-param) ")"]` (RFC 4466 section 2.2). */
export const createCommand: CommandSpec<CreateArgs> = {
  name: 'CREATE',
  states: ['authenticated', 'selected'],
  expunge: 'allow',
  parse(dec) {
    dec.sp();
    const mailbox = dec.mailbox();
    let use: string[] | null = null;
    if (!dec.atEnd()) {
      dec.sp();
      dec.list(() => {
        const name = dec.atom().toUpperCase();
        if (name !== 'USE') dec.fail(`unknown CREATE parameter ${name}`);
        dec.sp();
        const attrs = dec.list(() => {
          if (!dec.accept('\\')) dec.fail('expected a special-use attribute');
          return canonicalUse('\\' + dec.atom());
        });
        use = [...(use ?? []), ...attrs];
      });
    }
    dec.end();
    return { mailbox, use };
  },
  async run(ctx, args) {
    if (args.use !== null) requireFeature(ctx, 'CREATE-SPECIAL-USE', 'CREATE USE parameter');
    const name = newMailboxName(args.mailbox);
    const use = [...new Set(args.use ?? [])];
    for (const attr of use) {
      if (!CREATABLE_SPECIAL_USES.has(attr)) {
        throw new ImapError('NO', `Unsupported SPECIAL-USE attribute ${attr}.`, { name: USEATTR });
      }
    }
    const info = await userOf(ctx).createMailbox(name, use.length > 0 ? { specialUse: use as SpecialUse[] } : undefined);
    const result: CommandResult = { text: 'Create completed.' };
    if (featureActive(ctx, 'OBJECTID')) return { ...result, code: { name: MAILBOXID, args: [[atom(info.id)]] } };
    return result;
  },
};
