/**
 * Reuse one parse for many recipients: delivery prepends per-recipient trace lines (Delivered-To) to the
 * message, which moves every byte offset by the prefix length but changes nothing else the parser derives
 * (the prefix is more top-level header fields, none of them an ENVELOPE or MIME field). So the record of
 * `prefix + message` is the record of `message` with the offsets shifted, the prefix put in front of the
 * top-level header block and the size grown; meta-shift.test.ts checks that against a real re-parse.
 */
import type { MessageMeta, MimePart } from '../message/types.ts';

function shiftPart(part: MimePart, delta: number, isRoot: boolean): MimePart {
  return {
    ...part,
    // The root header now starts with the prefix, so it still starts at 0.
    headerStart: isRoot ? 0 : part.headerStart + delta,
    headerEnd: part.headerEnd + delta,
    bodyStart: part.bodyStart + delta,
    bodyEnd: part.bodyEnd + delta,
    children: part.children.map((child) => shiftPart(child, delta, false)),
    message: part.message === null ? null : { ...part.message, body: shiftPart(part.message.body, delta, false) },
  };
}

/**
 * The metadata of `prefix + message`, given the metadata of `message` and CRLF-terminated header lines
 * `prefix`. The input record is not modified.
 */
export function prependHeaderToMeta(meta: MessageMeta, prefix: Buffer): MessageMeta {
  if (prefix.length === 0) return meta;
  const delta = prefix.length;
  return {
    ...meta,
    size: meta.size + delta,
    header: Buffer.concat([prefix, meta.header]),
    root: shiftPart(meta.root, delta, true),
  };
}
