/** ID (RFC 2971): advertised in every state, since a client may send ID before logging in (section 3.1). */
import { idCommand } from '../commands/id.ts';
import type { ImapExtension, ImapIdParams } from '../server.ts';

/** The ID extension answering with `serverId` (null: `* ID NIL`). */
export function idExtension(serverId: ImapIdParams | null): ImapExtension {
  return {
    name: 'ID',
    capabilities: () => ['ID'],
    commands: [idCommand(serverId)],
  };
}
