/** The FLAGS value of a FETCH response. */
import { atom, type ImapValue } from '../protocol/values.ts';

/** FLAGS of a message as this session sees it: the stored flags plus \Recent when it is recent here. */
export function flagsValue(flags: readonly string[], recent: boolean): ImapValue {
  const list: ImapValue[] = flags.map((f) => atom(f));
  if (recent) list.push(atom('\\Recent'));
  return list;
}
