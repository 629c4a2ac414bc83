import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, ImapDecoder } from '../wire/decoder.ts';
import { selectFromSorted, type SequenceSet } from '../wire/sequence-set.ts';
import { MAX_SEARCH_DEPTH, parseSearch, toSearchQuery, uidRanges, type ParsedSearch } from './search-keys.ts';
import type { SelectedView } from './types.ts';
import type { Mailbox } from '../../store/types.ts';

function parse(text: string): ParsedSearch {
  return parseSearch(new ImapDecoder(Buffer.from(' ' + text, 'latin1')));
}

/** A view over UIDs 10, 20, 30, 40 (seqs 1-4), 30 and 40 recent. */
function fakeView(): SelectedView {
  const uids = [10, 20, 30, 40];
  return {
    mailbox: {} as Mailbox,
    readOnly: false,
    exists: uids.length,
    uidAt: (seq) => {
      if (seq < 1 || seq > uids.length) throw new Error('out of range');
      return uids[seq - 1];
    },
    seqOf: (uid) => uids.indexOf(uid) + 1,
    resolve: (set: SequenceSet, byUid: boolean) => {
      if (!byUid) throw new Error('not used');
      return selectFromSorted(set, uids);
    },
    isRecent: (uid) => uid >= 30,
    savedSearch: [40, 20],
  };
}

const utf8 = (b: Buffer): string => b.toString('utf8');

function query(text: string): unknown {
  const parsed = parse(text);
  return toSearchQuery(parsed.key, fakeView(), utf8);
}

void describe('SEARCH key parser', () => {
  void test('flag keys and their negations', () => {
    assert.deepEqual(query('SEEN'), { type: 'flag', flag: '\\Seen' });
    assert.deepEqual(query('unanswered'), { type: 'not', key: { type: 'flag', flag: '\\Answered' } });
    for (const [k, f] of [['ANSWERED', '\\Answered'], ['DELETED', '\\Deleted'], ['DRAFT', '\\Draft'], ['FLAGGED', '\\Flagged']]) {
      assert.deepEqual(query(k), { type: 'flag', flag: f });
      assert.deepEqual(query('UN' + k), { type: 'not', key: { type: 'flag', flag: f } });
    }
    assert.deepEqual(query('UNSEEN'), { type: 'not', key: { type: 'flag', flag: '\\Seen' } });
    assert.deepEqual(query('KEYWORD $Forwarded'), { type: 'flag', flag: '$Forwarded' });
    assert.deepEqual(query('UNKEYWORD foo'), { type: 'not', key: { type: 'flag', flag: 'foo' } });
  });

  void test('several keys are ANDed; ALL', () => {
    assert.deepEqual(query('ALL'), { type: 'all' });
    assert.deepEqual(query('SEEN DELETED'), {
      type: 'and',
      keys: [
        { type: 'flag', flag: '\\Seen' },
        { type: 'flag', flag: '\\Deleted' },
      ],
    });
  });

  void test('header, body and text keys', () => {
    assert.deepEqual(query('FROM alice'), { type: 'header', field: 'from', value: 'alice' });
    assert.deepEqual(query('TO "bob smith"'), { type: 'header', field: 'to', value: 'bob smith' });
    assert.deepEqual(query('CC c BCC d SUBJECT {5}\r\nhello'), {
      type: 'and',
      keys: [
        { type: 'header', field: 'cc', value: 'c' },
        { type: 'header', field: 'bcc', value: 'd' },
        { type: 'header', field: 'subject', value: 'hello' },
      ],
    });
    assert.deepEqual(query('HEADER Message-ID ""'), { type: 'header', field: 'message-id', value: '' });
    assert.deepEqual(query('BODY x TEXT y'), { type: 'and', keys: [{ type: 'body', value: 'x' }, { type: 'text', value: 'y' }] });
  });

  void test('dates and sizes', () => {
    assert.deepEqual(query('BEFORE 1-Feb-1994'), { type: 'internalDate', op: 'before', date: '1994-02-01' });
    assert.deepEqual(query('ON "15-mar-2020"'), { type: 'internalDate', op: 'on', date: '2020-03-15' });
    assert.deepEqual(query('SINCE 31-Dec-1999'), { type: 'internalDate', op: 'since', date: '1999-12-31' });
    assert.deepEqual(query('SENTBEFORE 1-Jan-2000'), { type: 'sentDate', op: 'before', date: '2000-01-01' });
    assert.deepEqual(query('SENTON 1-Jan-2000'), { type: 'sentDate', op: 'on', date: '2000-01-01' });
    assert.deepEqual(query('SENTSINCE 1-Jan-2000'), { type: 'sentDate', op: 'since', date: '2000-01-01' });
    assert.deepEqual(query('LARGER 100 SMALLER 2000'), {
      type: 'and',
      keys: [
        { type: 'size', op: 'larger', size: 100 },
        { type: 'size', op: 'smaller', size: 2000 },
      ],
    });
  });

  void test('OR, NOT and parentheses', () => {
    assert.deepEqual(query('OR SEEN (FLAGGED DRAFT)'), {
      type: 'or',
      left: { type: 'flag', flag: '\\Seen' },
      right: { type: 'and', keys: [{ type: 'flag', flag: '\\Flagged' }, { type: 'flag', flag: '\\Draft' }] },
    });
    assert.deepEqual(query('NOT NOT SEEN'), { type: 'not', key: { type: 'not', key: { type: 'flag', flag: '\\Seen' } } });
    assert.deepEqual(query('(SEEN)'), { type: 'flag', flag: '\\Seen' });
  });

  void test('sequence sets, UID sets and $ become UID ranges of the view', () => {
    assert.deepEqual(query('2:3'), { type: 'uid', ranges: [{ start: 20, end: 20 }, { start: 30, end: 30 }] });
    assert.deepEqual(query('*'), { type: 'uid', ranges: [{ start: 40, end: 40 }] });
    // Sequence numbers past the end match nothing (Dovecot answers `* SEARCH`), no BAD.
    assert.deepEqual(query('9'), { type: 'uid', ranges: [] });
    assert.deepEqual(query('3:9'), { type: 'uid', ranges: [{ start: 30, end: 30 }, { start: 40, end: 40 }] });
    assert.deepEqual(query('UID 15:35'), { type: 'uid', ranges: [{ start: 20, end: 20 }, { start: 30, end: 30 }] });
    // UID 50:* is 40:50 when 40 is the largest UID (RFC 3501 section 6.4.8).
    assert.deepEqual(query('UID 50:*'), { type: 'uid', ranges: [{ start: 40, end: 40 }] });
    assert.deepEqual(query('$'), { type: 'uid', ranges: [{ start: 20, end: 20 }, { start: 40, end: 40 }] });
  });

  void test('RECENT, NEW, OLD use the session view', () => {
    const recent = { type: 'uid', ranges: [{ start: 30, end: 30 }, { start: 40, end: 40 }] };
    assert.deepEqual(query('RECENT'), recent);
    assert.deepEqual(query('NEW'), { type: 'and', keys: [recent, { type: 'not', key: { type: 'flag', flag: '\\Seen' } }] });
    assert.deepEqual(query('OLD'), { type: 'not', key: recent });
  });

  void test('CHARSET is kept, strings stay octets until decoded', () => {
    const parsed = parse('CHARSET iso-8859-1 SUBJECT {4}\r\ncaf\xe9');
    assert.equal(parsed.charset, 'iso-8859-1');
    assert.deepEqual(parsed.key, { type: 'header', field: 'subject', value: Buffer.from('caf\xe9', 'latin1') });
    assert.equal(parse('ALL').charset, null);
  });

  void test('malformed searches are BAD', () => {
    for (const bad of [
      '',
      'NOTAKEY',
      '()',
      '(SEEN',
      'SEEN)',
      'FROM',
      'OR SEEN',
      'NOT',
      'BEFORE 1-Foo-2000',
      'BEFORE 31-Feb-2000',
      'LARGER x',
      'UID x',
      'HEADER Subject',
      'SEEN  DELETED',
      'CHARSET',
      'SUBJECT caf\xe9',
      '0',
    ]) {
      assert.throws(() => parse(bad), DecodeError, JSON.stringify(bad));
    }
  });

  void test('nesting is limited', () => {
    const ok = 'NOT '.repeat(MAX_SEARCH_DEPTH - 1) + 'SEEN';
    assert.doesNotThrow(() => parse(ok));
    assert.throws(() => parse('NOT '.repeat(MAX_SEARCH_DEPTH + 1) + 'SEEN'), DecodeError);
    assert.throws(() => parse('('.repeat(MAX_SEARCH_DEPTH + 1) + 'SEEN' + ')'.repeat(MAX_SEARCH_DEPTH + 1)), DecodeError);
  });

  void test('uidRanges compacts', () => {
    assert.deepEqual(uidRanges([1, 2, 3, 5, 7, 8]), [
      { start: 1, end: 3 },
      { start: 5, end: 5 },
      { start: 7, end: 8 },
    ]);
    assert.deepEqual(uidRanges([]), []);
  });
});

void describe('SEARCH extension syntax (RFC 4731, 5182, 5032, 8514, 8474)', () => {
  void test('RETURN options: a set, RETURN () is empty, unknown options are BAD, RETURN comes first', () => {
    const p = parse('RETURN (min MAX count ALL save) CHARSET UTF-8 ALL');
    assert.deepEqual([...(p.returnOptions ?? [])].sort(), ['ALL', 'COUNT', 'MAX', 'MIN', 'SAVE']);
    assert.deepEqual([...p.syntax].sort(), ['ESEARCH', 'SEARCHRES']);
    assert.equal(p.charset, 'UTF-8');
    assert.deepEqual([...(parse('RETURN () ALL').returnOptions ?? ['x'])], []);
    assert.equal(parse('ALL').returnOptions, null);
    assert.deepEqual([...parse('ALL').syntax], []);
    assert.throws(() => parse('RETURN (PARTIAL 1:10) ALL'), DecodeError);
    assert.throws(() => parse('RETURN ALL'), DecodeError);
    assert.throws(() => parse('CHARSET UTF-8 RETURN (ALL) ALL'), DecodeError);
  });

  void test('$ is SEARCHRES syntax, as a sequence set and after UID', () => {
    assert.deepEqual([...parse('$').syntax], ['SEARCHRES']);
    assert.deepEqual([...parse('UID $').syntax], ['SEARCHRES']);
    assert.deepEqual(query('UID $'), { type: 'uid', ranges: [{ start: 20, end: 20 }, { start: 40, end: 40 }] });
  });

  void test('OLDER / YOUNGER (WITHIN), seconds as nz-number', () => {
    assert.deepEqual(query('OLDER 3600'), { type: 'within', op: 'older', seconds: 3600 });
    assert.deepEqual(query('YOUNGER 1'), { type: 'within', op: 'younger', seconds: 1 });
    assert.deepEqual([...parse('NOT YOUNGER 5').syntax], ['WITHIN']);
    assert.throws(() => parse('OLDER 0'), DecodeError);
    assert.throws(() => parse('YOUNGER'), DecodeError);
  });

  void test('SAVEDBEFORE / SAVEDON / SAVEDSINCE / SAVEDATESUPPORTED (SAVEDATE)', () => {
    assert.deepEqual(query('SAVEDBEFORE 1-Feb-2020'), { type: 'saveDate', op: 'before', date: '2020-02-01' });
    assert.deepEqual(query('SAVEDON 1-Feb-2020'), { type: 'saveDate', op: 'on', date: '2020-02-01' });
    assert.deepEqual(query('SAVEDSINCE 1-Feb-2020'), { type: 'saveDate', op: 'since', date: '2020-02-01' });
    // Every store keeps save dates: SAVEDATESUPPORTED matches all.
    assert.deepEqual(query('SAVEDATESUPPORTED'), { type: 'all' });
    assert.deepEqual([...parse('SAVEDATESUPPORTED').syntax], ['SAVEDATE']);
    assert.throws(() => parse('SAVEDON 2020-02-01'), DecodeError);
  });

  void test('EMAILID / THREADID take an objectid (OBJECTID)', () => {
    assert.deepEqual(query('EMAILID M6d99ac3275bb4e'), { type: 'emailId', id: 'M6d99ac3275bb4e' });
    assert.deepEqual(query('THREADID T-1_a'), { type: 'threadId', id: 'T-1_a' });
    assert.deepEqual([...parse('OR EMAILID a THREADID b').syntax], ['OBJECTID']);
    assert.throws(() => parse('EMAILID "a b"'), DecodeError);
    assert.throws(() => parse(`EMAILID ${'x'.repeat(256)}`), DecodeError);
  });
});
