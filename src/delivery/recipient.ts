/**
 * Recipient resolution for LMTP and `deliver` (DESIGN.md section 6, issue 5 point 7):
 * `local@domain` goes to the account `local@domain` if it exists, else to `local`; a `+detail` suffix of the
 * local part is dropped the way Dovecot's `recipient_delimiter = +` does (the detail never selects a mailbox:
 * lmtp_save_to_detail_mailbox = no).
 */
import { isStoreError } from '../store/errors.ts';
import type { Backend, ConnectionInfo, User } from '../store/types.ts';

/** Separator between a user and its detail (`user+detail@domain`), as Postfix/Dovecot `recipient_delimiter`. */
export const RECIPIENT_DELIMITER = '+';

/** A recipient address split into its parts. */
export interface ParsedRecipient {
  /** The address without angle brackets, domain lower-cased (RFC 5321 section 2.4: domains are case-insensitive). */
  readonly address: string;
  /** Local part including any detail. */
  readonly local: string;
  /** Local part without the detail. */
  readonly user: string;
  readonly detail: string | null;
  /** Lower-cased domain, null for a bare local part. */
  readonly domain: string | null;
}

/** Split `<user+detail@domain>` (brackets optional). Never throws; an empty local part stays empty. */
export function parseRecipient(raw: string): ParsedRecipient {
  let address = raw.trim();
  if (address.startsWith('<') && address.endsWith('>')) address = address.slice(1, -1).trim();
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  const domain = at === -1 ? null : address.slice(at + 1).toLowerCase();
  const plus = local.indexOf(RECIPIENT_DELIMITER);
  // A leading "+" is not a detail separator (the user part would be empty).
  const user = plus > 0 ? local.slice(0, plus) : local;
  const detail = plus > 0 ? local.slice(plus + 1) : null;
  return { address: domain === null ? local : `${local}@${domain}`, local, user, detail, domain };
}

/**
 * Account names to try for a recipient, most specific first: `user+detail@domain`, `user@domain`,
 * `user+detail`, `user`. The full address wins when such an account exists (issue 5 point 7).
 */
export function candidateAccounts(recipient: ParsedRecipient): string[] {
  const names: string[] = [];
  const add = (name: string): void => {
    if (name !== '' && !names.includes(name)) names.push(name);
  };
  if (recipient.domain !== null) {
    add(`${recipient.local}@${recipient.domain}`);
    add(`${recipient.user}@${recipient.domain}`);
  }
  add(recipient.local);
  add(recipient.user);
  return names;
}

/**
 * The account name created for an unknown recipient when `createMissing` is set (static-password mode): the
 * local part without detail, because with `--static-password` clients log in with bare names and a later
 * delivery to `name@domain` then reaches the same account through the `local` fallback.
 */
export function accountNameToCreate(recipient: ParsedRecipient): string {
  return recipient.user;
}

/** Outcome of resolving one recipient. */
export type Resolution =
  | { readonly kind: 'found'; readonly account: string; readonly user: User }
  | { readonly kind: 'unknown' };

/** Options for `resolveRecipient`. */
export interface ResolveOptions {
  readonly backend: Backend;
  readonly info: ConnectionInfo;
  /** Static-password mode: create the account of an unknown recipient; resolves true when it now exists. */
  readonly createMissing?: (username: string) => Promise<boolean>;
}

/**
 * Find (and open) the account a recipient delivers to. The caller closes the returned User. Errors of the
 * backend (other than "unknown user", which openUser reports as null) propagate.
 */
export async function resolveRecipient(raw: string, options: ResolveOptions): Promise<Resolution> {
  const { backend, info } = options;
  if (typeof backend.openUser !== 'function') {
    throw new TypeError('delivery needs a backend that implements openUser()');
  }
  const recipient = parseRecipient(raw);
  for (const name of candidateAccounts(recipient)) {
    const user = await backend.openUser(name, info);
    if (user !== null) return { kind: 'found', account: name, user };
  }
  if (options.createMissing !== undefined) {
    const name = accountNameToCreate(recipient);
    let created: boolean;
    try {
      created = name !== '' && (await options.createMissing(name));
    } catch (err) {
      // Two deliveries racing to create the same account: the loser finds it created.
      if (!isStoreError(err, 'exists')) throw err;
      created = true;
    }
    if (created) {
      const user = await backend.openUser(name, info);
      if (user !== null) return { kind: 'found', account: name, user };
    }
  }
  return { kind: 'unknown' };
}
