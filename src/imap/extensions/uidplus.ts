/**
 * UIDPLUS (RFC 4315): UID EXPUNGE (here), COPYUID on COPY and MOVE (commands/copy.ts, commands/move.ts)
 * and APPENDUID on APPEND (commands/append.ts, engineer B's uidplus-append extension).
 */
import { uidExpungeCommand } from '../commands/uid-expunge.ts';
import type { ImapExtension } from '../server.ts';

/** The UIDPLUS extension: UID EXPUNGE, and the capability that turns COPYUID/APPENDUID on. */
export const uidplusExtension: ImapExtension = {
  name: 'UIDPLUS',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['UIDPLUS']),
  commands: [uidExpungeCommand],
};
