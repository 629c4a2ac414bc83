/**
 * AUTH=LOGIN (draft-murchison-sasl-login): Outlook and older Apple clients use it. A plaintext mechanism,
 * so the session offers it only where PLAIN is offered (LOGINDISABLED rules).
 */
import { loginMechanism } from '../../auth/sasl-login.ts';
import type { ImapExtension } from '../server.ts';

/** The AUTH=LOGIN extension (the AUTH= capability comes from the session's mechanism list). */
export const authLoginExtension: ImapExtension = {
  name: 'AUTH=LOGIN',
  mechanisms: { LOGIN: loginMechanism },
};
