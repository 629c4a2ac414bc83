/**
 * BINARY (RFC 3516). FETCH BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE (commands/fetch.ts,
 * fetch/execute.ts: transfer decoding by the message module's planBinary, literal8 when the data holds
 * NUL, NO [UNKNOWN-CTE]) are always parsed (and are part of IMAP4rev2); APPEND of a literal8 message is
 * commands/append.ts. The capability is advertised only with both halves in place.
 */
import type { ImapExtension } from '../server.ts';

/** The BINARY extension: advertises BINARY after login. */
export const binaryExtension: ImapExtension = {
  name: 'BINARY',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['BINARY']),
};
