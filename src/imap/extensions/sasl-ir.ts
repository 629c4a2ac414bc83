/**
 * SASL-IR (RFC 4959): AUTHENTICATE accepts an initial response (commands/authenticate.ts); this only
 * advertises it, before login where AUTHENTICATE is valid.
 */
import type { ImapExtension } from '../server.ts';

/** The SASL-IR extension. */
export const saslIrExtension: ImapExtension = {
  name: 'SASL-IR',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? ['SASL-IR'] : []),
};
