/** SEARCH through the protocol-neutral AST (src/search/types.ts). */
import assert from 'node:assert/strict';
import { INBOX } from '../../../core/mailbox-name.ts';
import type { Mailbox } from '../../types.ts';
import type { SearchQuery } from '../../../search/types.ts';
import { mail, type Env, type Register } from '../harness.ts';

interface Corpus {
  readonly mailbox: Mailbox;
  /** UIDs of the three sample messages: [apple, banana, cherry]. */
  readonly uids: readonly number[];
}

/** Three messages that differ in every searchable way. */
async function corpus(env: Env): Promise<Corpus> {
  const uids = await env.append(
    INBOX,
    {
      content: mail({ subject: 'Apple pie', from: 'Alice <alice@example.org>', date: 'Wed, 01 Jan 2020 10:00:00 +0000', body: 'Recipe with cinnamon.' }),
      flags: ['\\Seen', '$Food'],
      internalDate: new Date('2020-01-01T12:00:00Z'),
    },
    {
      content: mail({
        subject: 'Banana bread',
        from: 'Bob <bob@example.net>',
        date: 'Mon, 15 Jun 2020 10:00:00 +0000',
        body: 'Ripe bananas and walnuts. ' + 'x'.repeat(3000),
        headers: { 'X-Priority': '1' },
      }),
      flags: ['\\Flagged'],
      internalDate: new Date('2020-06-15T12:00:00Z'),
    },
    {
      content: mail({ subject: 'Cherry tart', from: 'Carol <carol@example.com>', date: 'Thu, 31 Dec 2020 10:00:00 +0000', body: 'Sour cherries.' }),
      flags: ['\\Seen', '\\Deleted'],
      internalDate: new Date('2020-12-31T12:00:00Z'),
    },
  );
  const { mailbox } = await env.open(INBOX);
  return { mailbox, uids };
}

async function expect(c: Corpus, query: SearchQuery, which: readonly number[], what: string): Promise<void> {
  assert.deepEqual(await c.mailbox.search(query), which.map((i) => c.uids[i]), what);
}

/** Search over flags, dates, sizes, headers, body text and ids. */
export function searchCases(test: Register): void {
  test('search by flags and keywords with AND, OR and NOT', async (env) => {
    const c = await corpus(env);
    await expect(c, { type: 'all' }, [0, 1, 2], 'ALL');
    await expect(c, { type: 'flag', flag: '\\Seen' }, [0, 2], 'SEEN');
    await expect(c, { type: 'not', key: { type: 'flag', flag: '\\Seen' } }, [1], 'UNSEEN');
    await expect(c, { type: 'flag', flag: '$Food' }, [0], 'KEYWORD');
    await expect(c, { type: 'or', left: { type: 'flag', flag: '\\Flagged' }, right: { type: 'flag', flag: '\\Deleted' } }, [1, 2], 'OR');
    await expect(c, { type: 'and', keys: [{ type: 'flag', flag: '\\Seen' }, { type: 'not', key: { type: 'flag', flag: '\\Deleted' } }] }, [0], 'AND');
  });

  test('search by UID, internal date, SAVEDATE and size', async (env) => {
    const c = await corpus(env);
    await expect(c, { type: 'uid', ranges: [{ start: c.uids[1], end: Infinity }] }, [1, 2], 'UID n:*');
    await expect(c, { type: 'uid', ranges: [{ start: c.uids[0], end: c.uids[0] }, { start: c.uids[2], end: c.uids[2] }] }, [0, 2], 'UID set');
    await expect(c, { type: 'internalDate', op: 'before', date: '2020-06-15' }, [0], 'BEFORE');
    await expect(c, { type: 'internalDate', op: 'on', date: '2020-06-15' }, [1], 'ON');
    await expect(c, { type: 'internalDate', op: 'since', date: '2020-06-15' }, [1, 2], 'SINCE');
    await expect(c, { type: 'saveDate', op: 'since', date: '2020-01-01' }, [0, 1, 2], 'SAVEDATESINCE (saved now)');
    await expect(c, { type: 'size', op: 'larger', size: 2000 }, [1], 'LARGER');
    await expect(c, { type: 'size', op: 'smaller', size: 2000 }, [0, 2], 'SMALLER');
  });

  test('search by headers, sent date and body text', async (env) => {
    const c = await corpus(env);
    await expect(c, { type: 'header', field: 'subject', value: 'banana' }, [1], 'SUBJECT (case-insensitive substring)');
    await expect(c, { type: 'header', field: 'from', value: 'carol@example' }, [2], 'FROM');
    await expect(c, { type: 'header', field: 'X-Priority', value: '' }, [1], 'HEADER with empty value: has the field');
    await expect(c, { type: 'sentDate', op: 'since', date: '2020-06-01' }, [1, 2], 'SENTSINCE');
    await expect(c, { type: 'body', value: 'CHERRIES' }, [2], 'BODY');
    await expect(c, { type: 'body', value: 'Apple' }, [], 'BODY does not look at headers');
    await expect(c, { type: 'text', value: 'apple' }, [0], 'TEXT looks at headers');
    await expect(c, { type: 'text', value: 'walnuts' }, [1], 'TEXT looks at the body');
  });

  test('search by MODSEQ, EMAILID and THREADID', async (env) => {
    const c = await corpus(env);
    await c.mailbox.storeFlags([c.uids[2]], { op: 'add', flags: ['\\Answered'] });
    const [rec] = await c.mailbox.fetch([c.uids[2]]);
    await expect(c, { type: 'modseq', min: rec.modseq }, [2], 'MODSEQ');
    await expect(c, { type: 'emailId', id: rec.emailId }, [2], 'EMAILID');
    await expect(c, { type: 'threadId', id: rec.threadId }, [2], 'THREADID');
    await expect(c, { type: 'emailId', id: 'Mnope' }, [], 'unknown EMAILID');
  });

  test('search sees changes and skips expunged messages', async (env) => {
    const c = await corpus(env);
    await c.mailbox.storeFlags([c.uids[1]], { op: 'add', flags: ['\\Seen'] });
    await expect(c, { type: 'flag', flag: '\\Seen' }, [0, 1, 2], 'after STORE');
    await c.mailbox.expunge();
    await expect(c, { type: 'all' }, [0, 1], 'after EXPUNGE');
  });
}
