/** Filling mailboxes before a benchmark: pipelined APPEND over IMAP, or Maildir files written directly for Dovecot. */
import { mkdirSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { ImapClient } from './imap-client.ts';
import { makeMessage, isFlagged } from './messages.ts';
import { dovecotOwner } from './dovecot.ts';
import { BENCH_PASSWORD } from './servers.ts';

/** APPENDs kept in flight on one connection when the server offers LITERAL+ (pipelining hides the round trip). */
export const APPEND_WINDOW = 32;

/** Progress callback: messages done so far. */
export type Progress = (done: number) => void;

/**
 * APPEND messages [from, from+count) of the deterministic corpus to `mailbox` of `user`, \Flagged where
 * isFlagged(i). Uses one connection; keeps APPEND_WINDOW commands in flight when LITERAL+ is offered.
 * Returns the per-APPEND latencies in ms.
 */
export async function appendCorpus(
  port: number,
  user: string,
  mailbox: string,
  from: number,
  count: number,
  progress?: Progress,
  maxWindow: number = APPEND_WINDOW,
): Promise<number[]> {
  const c = await ImapClient.connect(port);
  try {
    await c.login(user, BENCH_PASSWORD);
    if (c.capabilities.size === 0 || !c.capabilities.has('IMAP4REV1')) await c.capability();
    if (mailbox.toUpperCase() !== 'INBOX') await c.command(`CREATE "${mailbox}"`, { expectOk: false });
    const window = c.has('LITERAL+') ? maxWindow : 1;
    const ms: number[] = [];
    let next = from;
    const end = from + count;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const i = next++;
        const flags = isFlagged(i) ? '(\\Flagged) ' : '';
        const r = await c.command([`APPEND "${mailbox}" ${flags}`, makeMessage(i)]);
        ms.push(r.ms);
        done++;
        if (progress && done % 1000 === 0) progress(done);
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    return ms;
  } finally {
    await c.logout();
  }
}

/**
 * Write messages [0, count) straight into a Dovecot Maildir INBOX (cur/, with the S= size and the F flag in
 * the file name), owned by the dovecot user. Much faster than APPEND for 100,000 messages; Dovecot indexes
 * them at the first SELECT (the benchmark times that SELECT separately).
 */
export function writeMaildir(maildir: string, count: number, progress?: Progress): void {
  const { uid, gid } = dovecotOwner();
  for (const sub of ['', 'cur', 'new', 'tmp']) {
    const d = join(maildir, sub);
    mkdirSync(d, { recursive: true });
    chownSync(d, uid, gid);
  }
  const base = Math.floor(Date.UTC(2024, 0, 1) / 1000);
  for (let i = 0; i < count; i++) {
    const bytes = makeMessage(i);
    const name = `${base + i}.M${i}P1.bench,S=${bytes.length}:2,${isFlagged(i) ? 'F' : ''}`;
    const path = join(maildir, 'cur', name);
    writeFileSync(path, bytes);
    chownSync(path, uid, gid);
    if (progress && (i + 1) % 10_000 === 0) progress(i + 1);
  }
}
