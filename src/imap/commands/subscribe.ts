/**
 * SUBSCRIBE and UNSUBSCRIBE (RFC 3501 sections 6.3.6, 6.3.7). The name need not exist (RFC 3501 allows
 * subscriptions to outlive or precede mailboxes; LSUB shows them).
 */
import { parseMailboxArg, userOf, type MailboxArg } from './mailbox-arg.ts';
import type { CommandSpec } from './types.ts';

function subscribeSpec(name: 'SUBSCRIBE' | 'UNSUBSCRIBE', on: boolean): CommandSpec<MailboxArg> {
  return {
    name,
    states: ['authenticated', 'selected'],
    expunge: 'allow',
    parse: parseMailboxArg,
    async run(ctx, args) {
      await userOf(ctx).setSubscribed(args.mailbox, on);
      return { text: `${on ? 'Subscribe' : 'Unsubscribe'} completed.` };
    },
  };
}

/** `SUBSCRIBE mailbox`. */
export const subscribeCommand = subscribeSpec('SUBSCRIBE', true);
/** `UNSUBSCRIBE mailbox`. */
export const unsubscribeCommand = subscribeSpec('UNSUBSCRIBE', false);
