/**
 * MOVE (RFC 6851): MOVE and UID MOVE, atomic in the store. The store must implement MovableMailbox;
 * since that interface belongs to an opened mailbox, a backend declares it with `features.move`, which
 * validate() checks when the server is built (DESIGN.md section 3: fail at start-up, not at a client).
 */
import { moveCommands } from '../commands/move.ts';
import type { Backend } from '../../store/types.ts';
import type { ImapExtension } from '../server.ts';

/** Whether a backend declares atomic MOVE (Backend.features.move). */
export function backendSupportsMove(backend: Backend): boolean {
  return backend.features?.move === true;
}

/** The MOVE extension. */
export const moveExtension: ImapExtension = {
  name: 'MOVE',
  capabilities: (conn) => (conn.state === 'notAuthenticated' ? [] : ['MOVE']),
  commands: moveCommands,
  validate(backend) {
    if (!backendSupportsMove(backend)) {
      throw new Error('the MOVE extension needs a store with atomic move (Backend.features.move, MovableMailbox)');
    }
  },
};
