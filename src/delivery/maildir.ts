/**
 * Maildir reading (https://cr.yp.to/proto/maildir.html and the Maildir++ folder layout Dovecot and Courier
 * use): messages in `cur/` and `new/` (never `tmp/`, which holds deliveries in progress), flags from the `:2,`
 * info suffix, sub-folders as `.Sub.Folder` directories beside `cur/`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Maildir info letters and the IMAP flags they stand for (maildir spec "info" semantics). */
export const MAILDIR_FLAG_LETTERS: Readonly<Record<string, string>> = {
  S: '\\Seen',
  R: '\\Answered',
  F: '\\Flagged',
  T: '\\Deleted',
  D: '\\Draft',
};

/** One message file of a Maildir folder. */
export interface MaildirEntry {
  readonly path: string;
  readonly flags: readonly string[];
  readonly internalDate: Date;
}

/** One folder: its mailbox name (relative, "" for the Maildir root) and its directory. */
export interface MaildirFolder {
  /** "" for the root (INBOX), "Sub/Folder" for `.Sub.Folder`. */
  readonly name: string;
  readonly dir: string;
}

/**
 * Flags from a file name's info suffix: `name:2,FRS` (or `!2,` where ":" is not allowed in file names, as
 * Dovecot's maildir_info_separator allows). Lower-case letters are Dovecot keywords, looked up in `keywords`
 * (the folder's dovecot-keywords file: index 0 is "a"); unknown ones are ignored.
 */
export function parseMaildirFlags(fileName: string, keywords: readonly string[] = []): string[] {
  let info = fileName.lastIndexOf(':2,');
  if (info === -1) info = fileName.lastIndexOf('!2,');
  if (info === -1) return [];
  const flags: string[] = [];
  for (const letter of fileName.slice(info + 3)) {
    const system = MAILDIR_FLAG_LETTERS[letter];
    if (system !== undefined) {
      if (!flags.includes(system)) flags.push(system);
    } else if (letter >= 'a' && letter <= 'z') {
      const keyword = keywords[letter.charCodeAt(0) - 0x61];
      if (keyword !== undefined && keyword !== '' && !flags.includes(keyword)) flags.push(keyword);
    }
  }
  return flags;
}

/** The delivery time at the start of a Maildir file name ("1700000000.M1P2.host"), if any. */
export function maildirNameTime(fileName: string): Date | undefined {
  const m = /^(\d{9,11})(?:\.|_|$)/.exec(fileName);
  return m === null ? undefined : new Date(Number(m[1]) * 1000);
}

/**
 * Decode the modified UTF-7 of a mailbox name (RFC 3501 section 5.1.3), which Dovecot uses for Maildir++
 * folder names. Invalid sequences are kept as they are: an odd name beats a failed import.
 */
export function decodeModifiedUtf7(name: string): string {
  return name.replace(/&([A-Za-z0-9+,]*)-/g, (whole, b64: string) => {
    if (b64 === '') return '&';
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0 || bytes.length === 0) return whole;
    const swapped = Buffer.from(bytes);
    swapped.swap16();
    return swapped.toString('utf16le');
  });
}

/** Maildir++ folder directory name (".Sub.Folder") to a mailbox name ("Sub/Folder"). */
export function maildirFolderName(dirName: string): string {
  return decodeModifiedUtf7(dirName.slice(1))
    .split('.')
    .filter((part) => part !== '')
    .join('/');
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** True when `dir` is a Maildir (has `cur/` or `new/`). */
export async function isMaildir(dir: string): Promise<boolean> {
  return (await isDir(join(dir, 'cur'))) || (await isDir(join(dir, 'new')));
}

/** The root folder and every Maildir++ sub-folder, parents before children. */
export async function listMaildirFolders(root: string): Promise<MaildirFolder[]> {
  const folders: MaildirFolder[] = [{ name: '', dir: root }];
  const entries = await readdir(root, { withFileTypes: true });
  const subs: MaildirFolder[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith('.') || entry.name === '.' || entry.name === '..') continue;
    const dir = join(root, entry.name);
    const name = maildirFolderName(entry.name);
    if (name !== '' && (await isMaildir(dir))) subs.push({ name, dir });
  }
  subs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return folders.concat(subs);
}

/** Keywords of a Dovecot Maildir folder (`dovecot-keywords`: "<index> <name>" lines); empty when absent. */
export async function readDovecotKeywords(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'dovecot-keywords'), 'utf8');
  } catch {
    return [];
  }
  const keywords: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\S+)$/.exec(line.trim());
    if (m !== null && Number(m[1]) < 26) keywords[Number(m[1])] = m[2];
  }
  return keywords;
}

function entryOrder(a: string, b: string): number {
  // Delivery order: by the leading timestamp, then by name (the unique part grows within a second).
  const ta = maildirNameTime(a)?.getTime() ?? 0;
  const tb = maildirNameTime(b)?.getTime() ?? 0;
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The messages of one folder, in delivery order. The internal date is the file's mtime (Dovecot stores the
 * INTERNALDATE there, also for APPENDs with an old date), falling back to the name's timestamp.
 */
export async function listMaildirMessages(dir: string): Promise<MaildirEntry[]> {
  const keywords = await readDovecotKeywords(dir);
  const found: { name: string; path: string; fromNew: boolean }[] = [];
  for (const sub of ['cur', 'new'] as const) {
    let names: string[];
    try {
      names = await readdir(join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith('.')) found.push({ name, path: join(dir, sub, name), fromNew: sub === 'new' });
    }
  }
  found.sort((a, b) => entryOrder(a.name, b.name));
  const entries: MaildirEntry[] = [];
  for (const file of found) {
    let info;
    try {
      info = await stat(file.path);
    } catch {
      continue; // moved away (by a running MDA) since readdir
    }
    if (!info.isFile()) continue;
    const date = info.mtimeMs > 0 ? info.mtime : (maildirNameTime(file.name) ?? info.mtime);
    // A message still in new/ has never been seen by a client: it carries no flags even with an info suffix.
    entries.push({ path: file.path, flags: file.fromNew ? [] : parseMaildirFlags(file.name, keywords), internalDate: date });
  }
  return entries;
}
