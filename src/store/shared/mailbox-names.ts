/**
 * Mailbox-name checks every store makes the same way, on top of core/mailbox-name.ts (which says what a
 * name is; these turn a refusal into the StoreError the contract wants).
 */
import { HIERARCHY_SEPARATOR, mailboxNameProblem, normalizeMailboxName } from '../../core/mailbox-name.ts';
import { StoreError } from '../errors.ts';

/** StoreError 'invalid', with the reason, when `name` (already canonical) cannot be a mailbox name. */
export function assertMailboxName(name: string): void {
  const problem = mailboxNameProblem(name);
  if (problem) throw new StoreError('invalid', problem);
}

/** The canonical form of a name to create or rename to; StoreError 'invalid' when it cannot be a mailbox. */
export function validMailboxName(name: string): string {
  const canonical = normalizeMailboxName(name);
  assertMailboxName(canonical);
  return canonical;
}

/**
 * The canonical name CREATE makes: one trailing separator is dropped first. RFC 3501 section 6.3.3: a name
 * suffixed with the separator declares the intent to create children, and a server that does not need the
 * declaration MUST ignore it ("a/" creates "a", as Dovecot does). Only one: "a//" still has an empty level
 * and "/" is empty ('invalid'). RENAME has no such rule: its target goes through validMailboxName, so a
 * trailing separator there is an empty level ('invalid', as Dovecot answers "Ends with hierarchy separator").
 */
export function mailboxNameToCreate(name: string): string {
  return validMailboxName(name.endsWith(HIERARCHY_SEPARATOR) ? name.slice(0, -HIERARCHY_SEPARATOR.length) : name);
}

/** True when `name` is `root` itself or one of its inferiors ("a" and "a/b" are in the subtree of "a"). */
export function inSubtree(name: string, root: string): boolean {
  return name === root || name.startsWith(root + HIERARCHY_SEPARATOR);
}

/**
 * StoreError 'invalid' when `target` is an inferior of `source`: RENAME moves the subtree, which cannot
 * be moved into itself (RFC 3501 section 6.3.5).
 */
export function assertNotUnderItself(source: string, target: string): void {
  if (target.startsWith(source + HIERARCHY_SEPARATOR)) throw new StoreError('invalid', 'cannot rename a mailbox under itself');
}

/** One mailbox of a renamed subtree and its new name. */
export interface SubtreeMove<T> {
  readonly item: T;
  readonly to: string;
}

/**
 * The moves of RENAME `source` to `target` (RFC 3501 section 6.3.5: the mailbox and its inferiors move
 * together): every item whose name is in the subtree of `source`, with its new name, in input order.
 * Checked before anything moves, so RENAME is all or nothing: StoreError 'invalid' for a new name that
 * cannot be a mailbox (too long, too deep), 'exists' for one that `exists` already.
 */
export function planSubtreeRename<T>(
  items: Iterable<T>,
  nameOf: (item: T) => string,
  source: string,
  target: string,
  exists: (name: string) => boolean,
): SubtreeMove<T>[] {
  const moves: SubtreeMove<T>[] = [];
  for (const item of items) {
    const name = nameOf(item);
    if (!inSubtree(name, source)) continue;
    const to = target + name.slice(source.length);
    assertMailboxName(to);
    if (exists(to)) throw new StoreError('exists', `mailbox ${to} already exists`);
    moves.push({ item, to });
  }
  return moves;
}
