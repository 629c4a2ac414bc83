/**
 * Message flags, protocol-neutral. System flags are stored in their canonical spelling
 * (RFC 3501 section 2.3.2: flag names are case-insensitive), keywords as given.
 */

/** The system flags a store must support. `\Recent` is not here: it is session state (imap/session). */
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;

/** One of the stored system flags. */
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

const canonical = new Map<string, string>(
  [...SYSTEM_FLAGS, '\\Recent'].map((flag) => [flag.toLowerCase(), flag]),
);

/** Canonical spelling of a flag: system flags case-folded to their RFC form, keywords unchanged. */
export function canonicalFlag(flag: string): string {
  return canonical.get(flag.toLowerCase()) ?? flag;
}

/** True for a system flag (a backslash flag), including `\Recent`. */
export function isSystemFlag(flag: string): boolean {
  return flag.startsWith('\\');
}

/** De-duplicate (case-insensitively, as RFC 3501 compares flags) and canonicalize a flag list. */
export function normalizeFlags(flags: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const flag of flags) {
    const c = canonicalFlag(flag);
    const key = c.toLowerCase();
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

/** Case-insensitive membership test used for flag lists. */
export function hasFlag(flags: readonly string[], flag: string): boolean {
  const key = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === key);
}
