/** The FLAGS value of a FETCH response. */
import { atom, type ImapValue } from '../protocol/values.ts';

/** System flags in the order Dovecot lists them, then \Recent, then keywords in store order (as Dovecot). */
const ORDER: ReadonlyMap<string, number> = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'].map((f, i) => [f, i]),
);

/** FLAGS of a message as this session sees it: the stored flags plus \Recent when it is recent here. */
export function flagsValue(flags: readonly string[], recent: boolean): ImapValue {
  const rank = (f: string): number => ORDER.get(f) ?? ORDER.size;
  const system = flags.filter((f) => ORDER.has(f)).sort((a, b) => rank(a) - rank(b));
  const list: ImapValue[] = system.map((f) => atom(f));
  if (recent) list.push(atom('\\Recent'));
  for (const f of flags) if (!ORDER.has(f)) list.push(atom(f));
  return list;
}

/**
 * flagsValue rendered, `(\Seen $Work)`: the same text encodeValue writes for it (flags are atoms, written as
 * UTF-8), built as one string because FETCH 1:* FLAGS renders it for every message of the mailbox.
 */
export function flagsText(flags: readonly string[], recent: boolean): string {
  let system = '';
  let keywords = '';
  // Common cases without sorting: a message has few flags, and ORDER is short.
  for (let rank = 0; rank < ORDER.size; rank++) {
    for (const f of flags) if (ORDER.get(f) === rank) system += system === '' ? f : ` ${f}`;
  }
  for (const f of flags) if (!ORDER.has(f)) keywords += ` ${f}`;
  if (recent) system += system === '' ? '\\Recent' : ' \\Recent';
  return system === '' ? `(${keywords.slice(1)})` : `(${system}${keywords})`;
}
