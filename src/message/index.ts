/** The message model: parse once, answer ENVELOPE/BODYSTRUCTURE/sections/search from the record. */
export type { MessageMeta, MimePart, MimeParam, MimeDisposition, MimePartKind, EnvelopeFields } from './types.ts';
export { parseMessage, META_VERSION, MAX_MIME_DEPTH, MAX_MIME_PARTS } from './parse.ts';
export { encodeMeta, decodeMeta, CorruptMetaError } from './codec.ts';
export { parseHeaderFields, firstField } from './header.ts';
export type { HeaderField } from './header.ts';
