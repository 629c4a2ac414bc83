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
