/**
 * `mailroom import NAME PATH`: bring an mbox, a Maildir or a folder of .eml files into an account, keeping
 * flags (Maildir info suffix; mbox Status/X-Status headers) and internal dates, idempotently: a message whose Message-ID (or, without one, whose bytes' SHA-256)
 * is already in the target mailbox is skipped, so running the import again adds nothing. Each target
 * mailbox's existing keys are read once, up front, before its first message is imported.
 */
import { createHash } from 'node:crypto';
import { firstField, parseHeaderFields, parseMessage } from '../message/index.ts';
import type { MessageMeta } from '../message/types.ts';
import { INBOX } from '../core/mailbox-name.ts';
import { isStoreError, StoreError } from '../store/errors.ts';
import type { AppendInput, Backend, ConnectionInfo, MessageBody, User } from '../store/types.ts';
import { IMPORT_BATCH_BYTES, IMPORT_BATCH_MESSAGES, IMPORT_INDEX_PAGE, MAX_HEADER_SCAN_BYTES } from './limits.ts';
import type { MboxFormat } from './mbox.ts';
import { mboxHeaderFlags } from './mbox-flags.ts';
import { openSource } from './sources.ts';

/** Options for `importMessages`. */
export interface ImportOptions {
  readonly backend: Backend;
  readonly username: string;
  /** An mbox file, a Maildir directory, a folder of .eml files, or one message file. */
  readonly path: string;
  /** Target for the source's top level (default INBOX); Maildir sub-folders go beneath it (INBOX: at the top). */
  readonly mailbox?: string;
  /** Called as messages are settled (imported, skipped or failed), with the total found up front. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called for each message that could not be imported (the CLI logs it). */
  readonly onError?: (origin: string, error: unknown) => void;
  /** mbox quoting convention (default mboxrd, which also reads mboxo files correctly in practice). */
  readonly mboxFormat?: MboxFormat;
  /** Who imports (passed to openUser); default `{ protocol: 'cli', secure: false }`. */
  readonly info?: ConnectionInfo;
  /** The parser (default `parseMessage`); an injection point for instrumentation and tests. */
  readonly parse?: (raw: Buffer) => MessageMeta;
}

/** Counts of an import run. */
export interface ImportResult {
  readonly imported: number;
  readonly skipped: number;
  readonly failed: number;
}

/** Undo header folding (RFC 5322 section 2.2.3): the line breaks go, the whitespace stays. */
function unfold(value: string): string {
  return value.replace(/\r?\n/g, '');
}

/** The duplicate key of a message: its Message-ID when it has one, else a hash of its bytes. */
export function duplicateKey(messageId: string | null | undefined, content: () => Buffer): string {
  const id = messageId === null || messageId === undefined ? '' : unfold(messageId).trim();
  if (id !== '') return `id:${id}`;
  return `sha256:${createHash('sha256').update(content()).digest('hex')}`;
}

/** Target mailbox of a source folder. */
function targetOf(base: string, folder: string): string {
  if (folder === '') return base;
  return base.toUpperCase() === INBOX ? folder : `${base}/${folder}`;
}

/** Make sure a mailbox exists; subscribe it when this import created it (clients list subscribed folders). */
async function ensureMailbox(user: User, name: string): Promise<void> {
  if (name.toUpperCase() === INBOX) return;
  try {
    await user.createMailbox(name);
    await user.setSubscribed(name, true);
  } catch (err) {
    if (!isStoreError(err, 'exists')) throw err;
  }
}

/** Keys of the messages already in a mailbox: one pass over it, metadata in pages, bodies only without a Message-ID. */
async function existingKeys(user: User, name: string): Promise<Set<string>> {
  const keys = new Set<string>();
  const mailbox = await user.openMailbox(name, { readOnly: true, onChange: () => undefined });
  try {
    const uids = mailbox.snapshot.uids;
    for (let i = 0; i < uids.length; i += IMPORT_INDEX_PAGE) {
      const records = await mailbox.fetch(uids.slice(i, i + IMPORT_INDEX_PAGE), { meta: true });
      for (const record of records) {
        let id = record.meta?.envelope.messageId ?? null;
        let body: MessageBody | null = null;
        if (record.meta === undefined) {
          // A store that returned no record: read the Message-ID from the header bytes instead.
          body = await mailbox.body(record.uid);
          const head = await body.read(0, Math.min(body.size, MAX_HEADER_SCAN_BYTES));
          id = firstField(parseHeaderFields(head), 'message-id');
        }
        if (id !== null && unfold(id).trim() !== '') {
          keys.add(duplicateKey(id, () => Buffer.alloc(0)));
        } else {
          body ??= await mailbox.body(record.uid);
          const bytes = await body.read(0, body.size);
          keys.add(duplicateKey(null, () => bytes));
        }
      }
    }
  } finally {
    await mailbox.close();
  }
  return keys;
}

function dateHeader(meta: MessageMeta): Date | undefined {
  const raw = meta.envelope.date;
  if (raw === null) return undefined;
  // Comments such as "(CET)" confuse Date.parse; RFC 5322 dates parse once they are gone.
  const time = Date.parse(unfold(raw).replace(/\([^)]*\)/g, '').trim());
  return Number.isNaN(time) ? undefined : new Date(time);
}

interface Pending {
  readonly input: AppendInput;
  readonly key: string;
  readonly origin: string;
}

/** Import every message of `path` into `username`'s mailboxes. Rejects only when the import cannot start. */
export async function importMessages(options: ImportOptions): Promise<ImportResult> {
  const { backend } = options;
  if (typeof backend.openUser !== 'function') throw new TypeError('import needs a backend that implements openUser()');
  const source = await openSource(options.path, options.mboxFormat);
  const user = await backend.openUser(options.username, options.info ?? { protocol: 'cli', secure: false });
  if (user === null) throw new StoreError('notFound', `no such account: ${options.username}`);
  const parse = options.parse ?? parseMessage;
  const base = options.mailbox ?? INBOX;
  let imported = 0;
  let skipped = 0;
  let failed = 0;
  let done = 0;
  try {
    let total = await source.count();
    const progress = (): void => {
      total = Math.max(total, done);
      options.onProgress?.(done, total);
    };
    progress();
    for (const folder of source.folders) await ensureMailbox(user, targetOf(base, folder));

    const indexes = new Map<string, Set<string>>();
    const keysOf = async (mailbox: string): Promise<Set<string>> => {
      let keys = indexes.get(mailbox);
      if (keys === undefined) {
        keys = await existingKeys(user, mailbox);
        indexes.set(mailbox, keys);
      }
      return keys;
    };
    const fail = (origin: string, error: unknown): void => {
      failed++;
      done++;
      options.onError?.(origin, error);
    };

    let batch: Pending[] = [];
    let batchMailbox = '';
    let batchBytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const pending = batch;
      batch = [];
      batchBytes = 0;
      try {
        await user.append(batchMailbox, pending.map((p) => p.input));
        imported += pending.length;
        done += pending.length;
      } catch {
        // Append is all or nothing: find the culprit(s) one message at a time.
        for (const p of pending) {
          try {
            await user.append(batchMailbox, [p.input]);
            imported++;
            done++;
          } catch (error) {
            indexes.get(batchMailbox)?.delete(p.key);
            fail(p.origin, error);
          }
        }
      }
      progress();
    };

    for await (const item of source.items()) {
      const mailbox = targetOf(base, item.folder);
      if (item.content === null) {
        fail(item.origin, item.error);
        progress();
        continue;
      }
      const content = item.content;
      if (content.length === 0) {
        fail(item.origin, new Error('empty message'));
        progress();
        continue;
      }
      const meta = parse(content);
      const keys = await keysOf(mailbox);
      const key = duplicateKey(meta.envelope.messageId, () => content);
      if (keys.has(key)) {
        skipped++;
        done++;
        progress();
        continue;
      }
      keys.add(key);
      if (batch.length > 0 && (mailbox !== batchMailbox || batch.length >= IMPORT_BATCH_MESSAGES ||
          batchBytes + content.length > IMPORT_BATCH_BYTES)) {
        await flush();
      }
      batchMailbox = mailbox;
      batchBytes += content.length;
      const internalDate = item.internalDate ?? dateHeader(meta);
      const flags = source.kind === 'mbox' ? mboxHeaderFlags(parseHeaderFields(meta.header)) : item.flags;
      batch.push({
        input: { content, meta, flags, ...(internalDate !== undefined ? { internalDate } : {}) },
        key,
        origin: item.origin,
      });
    }
    await flush();
  } finally {
    await user.close();
  }
  return { imported, skipped, failed };
}
