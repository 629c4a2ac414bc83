/**
 * What an account name may be, the same in every store (AccountAdmin.createAccount). Names are exact
 * (case-sensitive) UTF-8 strings; these rules only keep out names that some protocol or tool could not carry.
 */
import { StoreError } from '../errors.ts';

/**
 * Longest account name, in UTF-8 octets: room for any real `local@domain` (RFC 5321 section 4.5.3.1 caps
 * the whole path at 256 octets), bounded because names go into every log line and database index.
 */
export const MAX_ACCOUNT_NAME_BYTES = 256;

/**
 * Why `name` cannot be an account name, or null when it can:
 * - empty, or longer than MAX_ACCOUNT_NAME_BYTES;
 * - not well-formed Unicode (a lone surrogate has no UTF-8 form: the database stores would keep a
 *   different name than the one asked for);
 * - a control character or any white space: POP3 separates USER/APOP arguments with a space (RFC 1939),
 *   LMTP and the CLI `user list` output and the logs are line-based, so such a name could not log in
 *   everywhere or would forge lines.
 * Anything else is allowed, non-ASCII included (RFC 6855 UTF8=ACCEPT, SASLprep user names).
 */
export function accountNameProblem(name: string): string | null {
  if (name.length === 0) return 'empty account name';
  if (Buffer.byteLength(name, 'utf8') > MAX_ACCOUNT_NAME_BYTES) return 'account name too long';
  if (/\p{Cs}/u.test(name)) return 'account name is not well-formed Unicode';
  if (/[\p{Cc}\s]/u.test(name)) return 'control character or white space in account name';
  return null;
}

/** StoreError 'invalid', with the reason, when `name` cannot be an account name (accountNameProblem). */
export function assertAccountName(name: string): void {
  const problem = accountNameProblem(name);
  if (problem) throw new StoreError('invalid', problem);
}
