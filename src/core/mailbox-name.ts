/**
 * Mailbox names inside Mailroom: UTF-8 strings with "/" as the hierarchy separator.
 * Modified UTF-7 exists only on the IMAP wire (imap/wire/mutf7.ts).
 */

/** The hierarchy separator every store uses (DESIGN.md section 3). */
export const HIERARCHY_SEPARATOR = '/';

/** The name of the inbox, case-insensitive on input (RFC 3501 section 5.1). */
export const INBOX = 'INBOX';

/** Longest accepted mailbox name in bytes, and deepest hierarchy: bounds for hostile input. */
export const MAX_MAILBOX_NAME_BYTES = 512;
export const MAX_MAILBOX_DEPTH = 32;

/**
 * Canonical form of a mailbox name: "inbox" in any case becomes "INBOX", also as the first
 * level of a hierarchy ("inbox/Sub" -> "INBOX/Sub"), as Dovecot does.
 */
export function normalizeMailboxName(name: string): string {
  if (name.toUpperCase() === INBOX) return INBOX;
  if (name.length > INBOX.length && name[INBOX.length] === HIERARCHY_SEPARATOR && name.slice(0, INBOX.length).toUpperCase() === INBOX) {
    return INBOX + name.slice(INBOX.length);
  }
  return name;
}

/** Why a mailbox name is refused, or null when it is acceptable to create. */
export function mailboxNameProblem(name: string): string | null {
  if (name.length === 0) return 'empty mailbox name';
  if (Buffer.byteLength(name) > MAX_MAILBOX_NAME_BYTES) return 'mailbox name too long';
  const parts = name.split(HIERARCHY_SEPARATOR);
  if (parts.length > MAX_MAILBOX_DEPTH) return 'mailbox hierarchy too deep';
  if (parts.some((p) => p.length === 0)) return 'empty hierarchy level in mailbox name';
  // Control characters and the IMAP wildcards cannot be part of a name (LIST could not match them).
  if (/[\u0000-\u001f\u007f*%]/.test(name)) return 'invalid character in mailbox name';
  return null;
}

/** Parent names of a mailbox, nearest last: "a/b/c" -> ["a", "a/b"]. */
export function parentNames(name: string): string[] {
  const parts = name.split(HIERARCHY_SEPARATOR);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join(HIERARCHY_SEPARATOR));
  return out;
}
