/** The message model: parse once, answer ENVELOPE/BODYSTRUCTURE/sections/search from the record. */
export type { MessageMeta, MimePart, MimeParam, MimeDisposition, MimePartKind, EnvelopeFields } from './types.ts';
export { parseMessage, META_VERSION, MAX_MIME_DEPTH, MAX_MIME_PARTS } from './parse.ts';
export { encodeMeta, decodeMeta, CorruptMetaError } from './codec.ts';
export { parseHeaderFields, firstField } from './header.ts';
export type { HeaderField } from './header.ts';
export { planSection, filterHeaderFields, planBinary, findPart, binaryContent, binarySizeHint } from './sections.ts';
export type { SectionSpec, SectionPlan, BinaryPlan } from './sections.ts';
export { decodeTransfer, decodeCharset, decodeHeaderValue, decodeSearchCharset, charsetKnown } from './decode.ts';
export { parseAddressList } from './address.ts';
export type { EnvelopeAddress } from './address.ts';
export { bodyText } from './text.ts';
