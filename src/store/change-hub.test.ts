import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeHub } from './change-hub.ts';
import type { MailboxChange } from './types.ts';

const append = (uid: number): MailboxChange => ({ type: 'append', uids: [uid], modseq: uid });

void describe('ChangeHub', () => {
  void test('delivers synchronously, in order, only to the same (account, mailbox)', () => {
    const hub = new ChangeHub();
    const a: MailboxChange[] = [];
    const b: MailboxChange[] = [];
    const other: MailboxChange[] = [];
    hub.subscribe('alice', 'm1', (c) => a.push(c));
    hub.subscribe('alice', 'm1', (c) => b.push(c));
    hub.subscribe('alice', 'm2', (c) => other.push(c));
    hub.subscribe('bob', 'm1', (c) => other.push(c));
    hub.publish('alice', 'm1', append(1));
    hub.publish('alice', 'm1', append(2));
    assert.deepEqual(a, [append(1), append(2)]);
    assert.deepEqual(b, [append(1), append(2)]);
    assert.deepEqual(other, []);
  });

  void test('a throwing listener breaks neither the others nor the publisher; errors are counted and reported', () => {
    const reported: unknown[] = [];
    const hub = new ChangeHub({ onListenerError: (e) => reported.push(e) });
    const seen: number[] = [];
    hub.subscribe('u', 'm', () => {
      throw new Error('boom');
    });
    hub.subscribe('u', 'm', (c) => seen.push(c.type === 'append' ? c.uids[0] : -1));
    assert.doesNotThrow(() => hub.publish('u', 'm', append(7)));
    assert.deepEqual(seen, [7]);
    assert.equal(hub.listenerErrors, 1);
    assert.equal(reported.length, 1);
    assert.equal((reported[0] as Error).message, 'boom');
  });

  void test('a throwing error reporter is swallowed too', () => {
    const hub = new ChangeHub({
      onListenerError: () => {
        throw new Error('reporter');
      },
    });
    hub.subscribe('u', 'm', () => {
      throw new Error('listener');
    });
    assert.doesNotThrow(() => hub.publish('u', 'm', append(1)));
    assert.equal(hub.listenerErrors, 1);
  });

  void test('unsubscribe stops delivery, is idempotent, and frees empty sets', () => {
    const hub = new ChangeHub();
    const seen: MailboxChange[] = [];
    const off = hub.subscribe('u', 'm', (c) => seen.push(c));
    assert.equal(hub.listenerCount('u', 'm'), 1);
    hub.publish('u', 'm', append(1));
    off();
    off();
    hub.publish('u', 'm', append(2));
    assert.deepEqual(seen, [append(1)]);
    assert.equal(hub.listenerCount('u', 'm'), 0);
  });

  void test('a listener unsubscribed during delivery is not called; one subscribed during delivery misses it', () => {
    const hub = new ChangeHub();
    const seen: string[] = [];
    let offSecond = (): void => {};
    hub.subscribe('u', 'm', () => {
      seen.push('first');
      offSecond();
      hub.subscribe('u', 'm', () => seen.push('late'));
    });
    offSecond = hub.subscribe('u', 'm', () => seen.push('second'));
    hub.publish('u', 'm', append(1));
    assert.deepEqual(seen, ['first']);
    seen.length = 0;
    hub.publish('u', 'm', { type: 'gone' });
    assert.deepEqual(seen, ['first', 'late']);
  });

  void test('a change published from inside a listener is delivered after the current one, to everyone in order', () => {
    const hub = new ChangeHub();
    const a: number[] = [];
    const b: number[] = [];
    hub.subscribe('u', 'm', (c) => {
      if (c.type !== 'append') return;
      a.push(c.uids[0]);
      if (c.uids[0] === 1) hub.publish('u', 'm', append(2));
    });
    hub.subscribe('u', 'm', (c) => {
      if (c.type === 'append') b.push(c.uids[0]);
    });
    hub.publish('u', 'm', append(1));
    assert.deepEqual(a, [1, 2]);
    assert.deepEqual(b, [1, 2]);
  });

  void test('clearMailbox and clearAccount drop listeners silently', () => {
    const hub = new ChangeHub();
    const seen: MailboxChange[] = [];
    hub.subscribe('u', 'm', (c) => seen.push(c));
    hub.subscribe('u', 'n', (c) => seen.push(c));
    hub.subscribe('v', 'm', (c) => seen.push(c));
    hub.clearMailbox('u', 'm');
    hub.publish('u', 'm', append(1));
    assert.equal(seen.length, 0);
    hub.clearAccount('u');
    hub.publish('u', 'n', append(2));
    assert.equal(seen.length, 0);
    hub.publish('v', 'm', append(3));
    assert.deepEqual(seen, [append(3)]);
  });
});
