/**
 * Contract values built from rows of the database stores. The SQLite and PostgreSQL schemas name their
 * columns alike (sqlite/schema.ts, postgres/schema.ts), so the mapping is written once; the flag lists are
 * stored differently (JSON text, text[]) and are decoded by each store before they get here.
 */
import type { MailboxSnapshot, MailboxStatus, MessageRecord } from '../types.ts';

/** The counter columns of a `mailboxes` row. */
export interface MailboxCountersRow {
  readonly object_id: string;
  readonly uid_validity: number;
  readonly uid_next: number;
  readonly highest_modseq: number;
  readonly messages: number;
  readonly unseen: number;
  readonly deleted: number;
  readonly size: number;
}

/** A `mailboxes` row (the PostgreSQL store adds its feed counter). */
export interface SqlMailboxRow extends MailboxCountersRow {
  readonly id: number;
  readonly account_id: number;
  readonly name: string;
  /** shared/special-use.ts joinSpecialUse form. */
  readonly special_use: string;
}

/** STATUS of a mailbox from its row: the counters are kept up to date by every mutation, nothing is counted. */
export function statusFromRow(row: MailboxCountersRow): MailboxStatus {
  return {
    messages: row.messages,
    unseen: row.unseen,
    uidNext: row.uid_next,
    uidValidity: row.uid_validity,
    highestModseq: row.highest_modseq,
    size: row.size,
    deleted: row.deleted,
    id: row.object_id,
  };
}

/** The columns of a `messages` row joined with its content's ids, less the flags. */
export interface MessageRecordRow {
  readonly uid: number;
  readonly modseq: number;
  readonly internal_date: number;
  readonly save_date: number;
  readonly size: number;
  readonly email_id: string;
  readonly thread_id: string;
}

/** A `messages` row joined with its content's ids (MESSAGE_COLUMNS); `F` is the store's flag-list type. */
export interface SqlMessageRow<F> extends MessageRecordRow {
  readonly content_id: number;
  readonly flags: F;
  /** 0/1 copies of \Seen and \Deleted (shared/flags.ts flagBits). */
  readonly seen: number;
  readonly deleted: number;
}

/** The columns of SqlMessageRow, over `messages m JOIN contents c ON c.id = m.content_id`. */
export const MESSAGE_COLUMNS =
  'm.uid, m.content_id, m.flags, m.seen, m.deleted, m.modseq, m.internal_date, m.save_date, m.size, c.email_id, c.thread_id';

/** What openMailbox reads besides the mailbox row, in the same transaction (so that they agree). */
export interface SnapshotParts {
  readonly uids: readonly number[];
  readonly keywords: readonly string[];
  readonly firstUnseenUid: number | null;
}

/** The snapshot of an opened mailbox from its row and the parts read with it. */
export function snapshotFromRow(row: MailboxCountersRow, parts: SnapshotParts): MailboxSnapshot {
  return { uidValidity: row.uid_validity, uidNext: row.uid_next, highestModseq: row.highest_modseq, ...parts };
}

/** The FETCH record of a message row whose flags the store has decoded (a fresh array the caller owns). */
export function recordFromRow(row: MessageRecordRow, flags: string[]): MessageRecord {
  return {
    uid: row.uid,
    flags,
    modseq: row.modseq,
    internalDate: new Date(row.internal_date),
    saveDate: new Date(row.save_date),
    size: row.size,
    emailId: row.email_id,
    threadId: row.thread_id,
  };
}
