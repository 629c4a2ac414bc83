import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordFromRow, snapshotFromRow, statusFromRow } from './sql-rows.ts';

void test('statusFromRow and recordFromRow map the shared column names', () => {
  assert.deepEqual(
    statusFromRow({ object_id: 'F1', uid_validity: 7, uid_next: 5, highest_modseq: 9, messages: 4, unseen: 2, deleted: 1, size: 300 }),
    { messages: 4, unseen: 2, uidNext: 5, uidValidity: 7, highestModseq: 9, size: 300, deleted: 1, id: 'F1' },
  );
  const flags = ['\\Seen'];
  const rec = recordFromRow({ uid: 3, modseq: 8, internal_date: 1000, save_date: 2000, size: 12, email_id: 'M1', thread_id: 'T1' }, flags);
  assert.deepEqual(rec, { uid: 3, flags, modseq: 8, internalDate: new Date(1000), saveDate: new Date(2000), size: 12, emailId: 'M1', threadId: 'T1' });
  assert.equal(rec.flags, flags, 'the decoded list is handed over, not copied again');
});

void test('snapshotFromRow takes the identity from the row and the lists from the parts', () => {
  const row = { object_id: 'F1', uid_validity: 7, uid_next: 5, highest_modseq: 9, messages: 2, unseen: 1, deleted: 0, size: 30 };
  assert.deepEqual(snapshotFromRow(row, { uids: [1, 4], keywords: ['work'], firstUnseenUid: 4 }), {
    uidValidity: 7,
    uidNext: 5,
    highestModseq: 9,
    uids: [1, 4],
    keywords: ['work'],
    firstUnseenUid: 4,
  });
});
