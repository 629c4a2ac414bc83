/**
 * LIST-EXTENDED (RFC 5258): selection options SUBSCRIBED, REMOTE, RECURSIVEMATCH; return options
 * SUBSCRIBED and CHILDREN; several patterns; \NonExistent; CHILDINFO (commands/list.ts, list-options.ts).
 */
import type { ImapExtension } from '../server.ts';

/** The LIST-EXTENDED extension: the capability that turns the extended LIST syntax on. */
export const listExtendedExtension: ImapExtension = {
  name: 'LIST-EXTENDED',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['LIST-EXTENDED']),
};
