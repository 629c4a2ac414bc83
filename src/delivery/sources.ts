/**
 * Import sources: an mbox file, a Maildir (with Maildir++ sub-folders), a folder of .eml files, or one message
 * file, each seen as a counted stream of messages with their flags, internal date and relative folder.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { toCrlf } from './crlf.ts';
import { countMbox, looksLikeMbox, readMbox, type MboxFormat } from './mbox.ts';
import { isMaildir, listMaildirFolders, listMaildirMessages } from './maildir.ts';

/** One message to import. */
export interface ImportItem {
  /** CRLF-normalized bytes; null when the source could not be read (`error` says why). */
  readonly content: Buffer | null;
  readonly error?: unknown;
  readonly flags: readonly string[];
  /** Internal date; when absent the importer derives one (the Date header, else now). */
  readonly internalDate?: Date;
  /** Folder relative to the import target: "" for the target itself, "Sub/Folder" for a Maildir++ folder. */
  readonly folder: string;
  /** Where it came from, for error reports (file path, or mbox path and message number). */
  readonly origin: string;
}

/** A source: how many messages it holds, and the messages. */
export interface ImportSource {
  readonly kind: 'mbox' | 'maildir' | 'eml';
  /** Relative folders the source has, parents first ("" included), so empty folders are created too. */
  readonly folders: readonly string[];
  count(): Promise<number>;
  items(): AsyncIterable<ImportItem>;
}

/** The path is none of the formats the importer knows. */
export class UnknownSourceError extends Error {
  override readonly name = 'UnknownSourceError';
}

async function readItem(path: string, folder: string, flags: readonly string[], internalDate?: Date): Promise<ImportItem> {
  try {
    const content = toCrlf(await readFile(path));
    return internalDate === undefined
      ? { content, flags, folder, origin: path }
      : { content, flags, folder, origin: path, internalDate };
  } catch (error) {
    return { content: null, error, flags, folder, origin: path };
  }
}

function mboxSource(path: string, format: MboxFormat): ImportSource {
  return {
    kind: 'mbox',
    folders: [''],
    count: () => countMbox(path, format),
    async *items() {
      let n = 0;
      for await (const message of readMbox(path, format)) {
        n++;
        const item = { content: message.content, flags: [], folder: '', origin: `${path} #${n}` };
        yield message.internalDate === undefined ? item : { ...item, internalDate: message.internalDate };
      }
    },
  };
}

async function maildirSource(root: string): Promise<ImportSource> {
  const folders = await listMaildirFolders(root);
  let listed: { folder: string; entries: Awaited<ReturnType<typeof listMaildirMessages>> }[] | null = null;
  const list = async () => {
    listed ??= await Promise.all(folders.map(async (f) => ({ folder: f.name, entries: await listMaildirMessages(f.dir) })));
    return listed;
  };
  return {
    kind: 'maildir',
    folders: folders.map((f) => f.name),
    count: async () => (await list()).reduce((n, f) => n + f.entries.length, 0),
    async *items() {
      for (const { folder, entries } of await list()) {
        for (const entry of entries) yield await readItem(entry.path, folder, entry.flags, entry.internalDate);
      }
    },
  };
}

function emlSource(files: readonly string[]): ImportSource {
  return {
    kind: 'eml',
    folders: [''],
    count: () => Promise.resolve(files.length),
    async *items() {
      // No internal date here: a .eml's mtime is usually when it was saved, so the Date header is used.
      for (const file of files) yield await readItem(file, '', []);
    },
  };
}

/**
 * Recognize `path`: a file starting with a From_ line is an mbox, any other file one message; a directory
 * with cur/ or new/ is a Maildir, else the .eml files directly in it (sorted by name).
 */
export async function openSource(path: string, format: MboxFormat = 'mboxrd'): Promise<ImportSource> {
  const info = await stat(path);
  if (info.isFile()) return (await looksLikeMbox(path)) ? mboxSource(path, format) : emlSource([path]);
  if (!info.isDirectory()) throw new UnknownSourceError(`${path}: not a file or directory`);
  if (await isMaildir(path)) return maildirSource(path);
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.eml'))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) throw new UnknownSourceError(`${path}: not an mbox file, a Maildir or a folder of .eml files`);
  return emlSource(names.map((n) => join(path, n)));
}
