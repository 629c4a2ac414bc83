/** UNSELECT (RFC 3691). */
import { unselectCommand } from '../commands/unselect.ts';
import type { ImapExtension } from '../server.ts';

/** The UNSELECT extension. */
export const unselectExtension: ImapExtension = {
  name: 'UNSELECT',
  capabilities: () => ['UNSELECT'],
  commands: [unselectCommand],
};
