import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Mailbox, MailboxChange } from '../../store/types.ts';
import { MailboxTracker, type TrackerUpdate } from './tracker.ts';

const OWN = {} as Mailbox;
const OTHER = {} as Mailbox;

interface Row {
  readonly name: string;
  readonly initial: number[];
  /** Steps: a change to push, or a flush with expunges allowed ('allow') or deferred ('defer'). */
  readonly steps: readonly (MailboxChange | 'allow' | 'defer')[];
  /** Responses of every flush, in order. */
  readonly expect: readonly (readonly TrackerUpdate[])[];
  readonly view: number[];
}

const fl = (uid: number, flags: string[], origin?: Mailbox): MailboxChange => ({
  type: 'flags',
  updates: [{ uid, flags, modseq: 1 }],
  ...(origin ? { origin } : {}),
});

const rows: Row[] = [
  {
    name: 'append becomes EXISTS and RECENT',
    initial: [1, 2],
    steps: [{ type: 'append', uids: [3, 4], modseq: 2 }, 'allow'],
    expect: [[{ type: 'exists', count: 4 }, { type: 'recent', count: 2 }]],
    view: [1, 2, 3, 4],
  },
  {
    name: 'expunge is held back during FETCH/STORE/SEARCH and sent at the next allowing command',
    initial: [1, 2, 3],
    steps: [{ type: 'expunge', uids: [2], modseq: 2 }, 'defer', 'allow'],
    expect: [[], [{ type: 'expunge', seq: 2 }]],
    view: [1, 3],
  },
  {
    name: 'several expunges: ascending, each number adjusted for the previous ones',
    initial: [10, 20, 30, 40, 50],
    steps: [{ type: 'expunge', uids: [50, 20, 40], modseq: 2 }, 'allow'],
    expect: [[{ type: 'expunge', seq: 2 }, { type: 'expunge', seq: 3 }, { type: 'expunge', seq: 3 }]],
    view: [10, 30],
  },
  {
    name: 'deferred expunge keeps * the client\'s last message while EXISTS still grows',
    initial: [1, 2],
    steps: [{ type: 'expunge', uids: [2], modseq: 2 }, { type: 'append', uids: [3], modseq: 3 }, 'defer'],
    expect: [[{ type: 'exists', count: 3 }, { type: 'recent', count: 1 }]],
    view: [1, 2, 3],
  },
  {
    name: 'appended then expunged before a flush is never reported',
    initial: [1],
    steps: [{ type: 'append', uids: [2], modseq: 2 }, { type: 'expunge', uids: [2], modseq: 3 }, 'allow'],
    expect: [[]],
    view: [1],
  },
  {
    name: "other sessions' flag changes become FETCH FLAGS; own changes are skipped",
    initial: [1, 2],
    steps: [fl(2, ['\\Seen'], OTHER), fl(1, ['\\Flagged'], OWN), 'defer'],
    expect: [[{ type: 'fetch', seq: 2, uid: 2, flags: ['\\Seen'], recent: false }]],
    view: [1, 2],
  },
  {
    name: 'flag change of an expunged message is dropped',
    initial: [1, 2],
    steps: [{ type: 'expunge', uids: [1], modseq: 2 }, fl(1, ['\\Seen']), 'allow'],
    expect: [[{ type: 'expunge', seq: 1 }]],
    view: [2],
  },
  {
    name: 'a new keyword sends FLAGS, before EXISTS',
    initial: [],
    steps: [{ type: 'append', uids: [1], modseq: 1 }, { type: 'keywords', keywords: ['$Work'] }, 'defer'],
    expect: [[{ type: 'keywords', keywords: ['$Work'] }, { type: 'exists', count: 1 }, { type: 'recent', count: 1 }]],
    view: [1],
  },
  {
    name: 'duplicate append records are ignored',
    initial: [1, 2],
    steps: [{ type: 'append', uids: [2], modseq: 2 }, 'allow'],
    expect: [[]],
    view: [1, 2],
  },
  {
    name: 'gone wins over everything',
    initial: [1],
    steps: [{ type: 'append', uids: [2], modseq: 2 }, { type: 'gone' }, 'allow'],
    expect: [[{ type: 'gone' }]],
    view: [1],
  },
];

describe('MailboxTracker (table)', () => {
  for (const row of rows) {
    test(row.name, () => {
      // Every UID above the initial ones is new to this session (claims all as recent).
      const t = new MailboxTracker(row.initial, (uids) => uids.filter((u) => !row.initial.includes(u)));
      t.own = OWN;
      const flushes: TrackerUpdate[][] = [];
      for (const step of row.steps) {
        if (step === 'allow' || step === 'defer') flushes.push(t.flush(step === 'allow'));
        else t.push(step);
      }
      assert.deepEqual(flushes, row.expect);
      assert.deepEqual([...t.uids], row.view);
    });
  }

  test('seq <-> uid and recent bookkeeping', () => {
    const t = new MailboxTracker([5, 9, 12], (uids) => uids.filter((u) => u > 5));
    assert.equal(t.uidAt(2), 9);
    assert.equal(t.uidAt(4), 0);
    assert.equal(t.seqOf(12), 3);
    assert.equal(t.seqOf(6), 0);
    assert.equal(t.recentCount, 2);
    assert.equal(t.isRecent(5), false);
    t.push({ type: 'expunge', uids: [9], modseq: 3 });
    t.flush(true);
    assert.equal(t.recentCount, 1);
  });
});
