import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Mailbox } from '../../store/types.ts';
import { ImapError } from '../protocol/errors.ts';
import { parseSequenceSet } from '../wire/sequence-set.ts';
import { SelectedMailbox } from './selected.ts';
import { MailboxTracker } from './tracker.ts';

function view(uids: number[]): SelectedMailbox {
  return new SelectedMailbox({} as Mailbox, false, new MailboxTracker(uids, () => []));
}

describe('SelectedMailbox.resolve', () => {
  const sel = view([3, 5, 8, 13, 21]);

  test('sequence numbers: ranges, reversed, star, overlaps, de-duplicated ascending UIDs', () => {
    assert.deepEqual(sel.resolve(parseSequenceSet('1:2'), false), [3, 5]);
    assert.deepEqual(sel.resolve(parseSequenceSet('4:2'), false), [5, 8, 13]);
    assert.deepEqual(sel.resolve(parseSequenceSet('*'), false), [21]);
    assert.deepEqual(sel.resolve(parseSequenceSet('5,1:3,2:4'), false), [3, 5, 8, 13, 21]);
    assert.deepEqual(sel.resolve(parseSequenceSet('*:4'), false), [13, 21]);
  });

  test('a sequence number beyond the view is BAD; * on an empty mailbox is nothing', () => {
    assert.throws(() => sel.resolve(parseSequenceSet('6'), false), (e: unknown) => e instanceof ImapError && e.status === 'BAD');
    assert.throws(() => sel.resolve(parseSequenceSet('2:9'), false), ImapError);
    assert.deepEqual(view([]).resolve(parseSequenceSet('1:*'), true), []);
    assert.deepEqual(view([]).resolve(parseSequenceSet('*'), false), []);
  });

  test('UIDs: missing ones ignored, * is the highest UID', () => {
    assert.deepEqual(sel.resolve(parseSequenceSet('4:10'), true), [5, 8]);
    assert.deepEqual(sel.resolve(parseSequenceSet('100:*'), true), [21]);
    assert.deepEqual(sel.resolve(parseSequenceSet('1,2,4'), true), []);
  });

  test('$ is the saved search result restricted to the view', () => {
    sel.savedSearch = [21, 3, 99];
    assert.deepEqual(sel.resolve(parseSequenceSet('$'), false), [3, 21]);
  });

  test('uidAt / seqOf', () => {
    assert.equal(sel.uidAt(3), 8);
    assert.throws(() => sel.uidAt(0), ImapError);
    assert.equal(sel.seqOf(13), 4);
    assert.equal(sel.seqOf(4), 0);
    assert.equal(sel.exists, 5);
  });
});
