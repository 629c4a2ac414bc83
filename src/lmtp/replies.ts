/**
 * LMTP replies per delivery status (RFC 2033 section 4.2: one reply per accepted recipient after DATA).
 * The enhanced status code (RFC 3463) is added by smtp-server from the reply code: 550 -> 5.1.1,
 * 452 -> 4.2.2, 451 -> 4.3.0, 554 -> 5.6.0; a message over the listener's size limit is refused by
 * smtp-server itself with 552 5.3.4. A store refusing one recipient's copy as too big gets 552 with
 * smtp-server's mapping 5.2.2 (the code is all smtp-server lets an application choose).
 */
import type { DeliveryResult, DeliveryStatus } from '../delivery/deliver.ts';

/** Reply code per status. */
export const LMTP_REPLY_CODES: Readonly<Record<DeliveryStatus, number>> = {
  delivered: 250,
  unknownUser: 550,
  overQuota: 452,
  tooBig: 552,
  temporary: 451,
  failed: 554,
};

/** An Error carrying an SMTP reply code, as smtp-server expects from its handlers. */
export class LmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'LmtpReplyError';
  }
}

/** The smtp-server reply for one recipient's result: a string for 250, an Error with the code otherwise. */
export function replyFor(result: DeliveryResult): string | LmtpReplyError {
  const address = result.recipient.startsWith('<') ? result.recipient : `<${result.recipient}>`;
  const text = `${address} ${result.message}`;
  if (result.status === 'delivered') return text;
  return new LmtpReplyError(LMTP_REPLY_CODES[result.status], text);
}
