/**
 * The command table: a plain array of CommandSpec, one entry (or list) per command file. Other command
 * files export `readonly CommandSpec[]` lists that are spread in here.
 */
import { appendCommand } from './append.ts';
import { authenticateCommand } from './authenticate.ts';
import { capabilityCommand } from './capability.ts';
import { checkCommand } from './check.ts';
import { closeCommand } from './close.ts';
import { copyCommands } from './copy.ts';
import { createCommand } from './create.ts';
import { deleteCommand } from './delete.ts';
import { expungeCommand } from './expunge.ts';
import { fetchCommands } from './fetch.ts';
import { listCommand } from './list.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { lsubCommand } from './lsub.ts';
import { noopCommand } from './noop.ts';
import { renameCommand } from './rename.ts';
import { searchCommands } from './search.ts';
import { examineCommand, selectCommand } from './select.ts';
import { starttlsCommand } from './starttls.ts';
import { statusCommand } from './status.ts';
import { storeCommands } from './store.ts';
import { subscribeCommand, unsubscribeCommand } from './subscribe.ts';
import type { CommandSpec } from './types.ts';

/** Every built-in command (RFC 3501 section 6). */
export const commandTable: readonly CommandSpec[] = [
  capabilityCommand,
  noopCommand,
  logoutCommand,
  starttlsCommand,
  authenticateCommand,
  loginCommand,
  selectCommand,
  examineCommand,
  createCommand,
  deleteCommand,
  renameCommand,
  subscribeCommand,
  unsubscribeCommand,
  listCommand,
  lsubCommand,
  statusCommand,
  appendCommand,
  checkCommand,
  closeCommand,
  expungeCommand,
  ...searchCommands,
  ...fetchCommands,
  ...storeCommands,
  ...copyCommands,
];

export * from './types.ts';
