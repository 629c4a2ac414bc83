/** Local delivery (LMTP, `mailroom deliver`) and mail import (`mailroom import`). */
export { deliver, statusOfError } from './deliver.ts';
export type { DeliverOptions, DeliveryResult, DeliveryStatus } from './deliver.ts';
export { importMessages, duplicateKey } from './import.ts';
export type { ImportOptions, ImportResult } from './import.ts';
export { openSource, UnknownSourceError } from './sources.ts';
export type { ImportItem, ImportSource } from './sources.ts';
export { mboxHeaderFlags } from './mbox-flags.ts';
export { readMbox, countMbox, looksLikeMbox, parseFromLine, MboxSplitter } from './mbox.ts';
export type { MboxFormat, MboxMessage } from './mbox.ts';
export { parseMaildirFlags, listMaildirFolders, listMaildirMessages, isMaildir, MAILDIR_FLAG_LETTERS } from './maildir.ts';
export { parseRecipient, candidateAccounts, resolveRecipient, RECIPIENT_DELIMITER } from './recipient.ts';
export type { ParsedRecipient, Resolution, ResolveOptions } from './recipient.ts';
export { traceHeaderBytes } from './headers.ts';
export { prependHeaderToMeta } from './meta-shift.ts';
export { toCrlf, stripEnvelopeLine } from './crlf.ts';
export { createProgress, formatProgress } from './progress.ts';
export type { ProgressRenderer, ProgressStream } from './progress.ts';
export { DEFAULT_MAX_MESSAGE_SIZE } from './limits.ts';
