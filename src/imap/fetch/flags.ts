/** The FLAGS value of a FETCH response. */
import { atom, type ImapValue } from '../protocol/values.ts';

/** System flags in the order Dovecot lists them; keywords follow in store order, \Recent last. */
const ORDER: ReadonlyMap<string, number> = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'].map((f, i) => [f, i]),
);

/** FLAGS of a message as this session sees it: the stored flags plus \Recent when it is recent here. */
export function flagsValue(flags: readonly string[], recent: boolean): ImapValue {
  const rank = (f: string): number => ORDER.get(f) ?? ORDER.size;
  // A stable sort keeps keywords in the store's order.
  const list: ImapValue[] = [...flags].sort((a, b) => rank(a) - rank(b)).map((f) => atom(f));
  if (recent) list.push(atom('\\Recent'));
  return list;
}
