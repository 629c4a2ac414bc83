/** `mailroom user add|passwd|del|list`: account administration on the configured store. */
import { hashPassword } from '../../auth/password.ts';
import { isStoreError } from '../../store/errors.ts';
import { createDefaultMailboxes } from '../accounts.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { DaemonBackend } from '../store.ts';

/** Output sink of a CLI command (stdout), injectable for tests. */
export type Print = (line: string) => void;

/** Create an account with INBOX and the default special-use mailboxes. Exit 73 when it exists. */
export async function userAdd(backend: DaemonBackend, name: string, password: string, print: Print): Promise<void> {
  try {
    await backend.createAccount(name, await hashPassword(password));
  } catch (err) {
    if (isStoreError(err, 'exists')) throw new CliError(ExitCode.cantCreate, `account "${name}" already exists`);
    if (isStoreError(err, 'invalid')) throw new CliError(ExitCode.usage, `invalid account name "${name}": ${err.message}`);
    throw err;
  }
  await createDefaultMailboxes(backend, name);
  print(`account "${name}" created`);
}

/** Change a password. Exit 67 for an unknown account. */
export async function userPasswd(backend: DaemonBackend, name: string, password: string, print: Print): Promise<void> {
  try {
    await backend.setPasswordHash(name, await hashPassword(password));
  } catch (err) {
    if (isStoreError(err, 'notFound')) throw new CliError(ExitCode.noUser, `no account "${name}"`);
    throw err;
  }
  print(`password of "${name}" changed`);
}

/** Delete an account and its mail. Exit 67 for an unknown account. */
export async function userDel(backend: DaemonBackend, name: string, print: Print): Promise<void> {
  try {
    await backend.deleteAccount(name);
  } catch (err) {
    if (isStoreError(err, 'notFound')) throw new CliError(ExitCode.noUser, `no account "${name}"`);
    throw err;
  }
  print(`account "${name}" deleted`);
}

/** Print account names, one a line, sorted. */
export async function userList(backend: DaemonBackend, print: Print): Promise<void> {
  for (const name of await backend.listAccounts()) print(name);
}
