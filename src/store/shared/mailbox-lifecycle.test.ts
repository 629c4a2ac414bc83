import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import type { MailboxChange } from '../types.ts';
import { MailboxLifecycle, assertWritable, deliverGone } from './mailbox-lifecycle.ts';

const expired = (message: RegExp) => (err: unknown) => isStoreError(err, 'expired') && message.test(err.message);

/** A lifecycle listening through a fake change hub: `send` plays the store, `got` is what the listener heard. */
function listening() {
  const life = new MailboxLifecycle();
  let hub: ((c: MailboxChange) => void) | null = null;
  const got: string[] = [];
  const counts = { unsubscribed: 0 };
  life.listen(
    (l) => {
      hub = l;
      return () => counts.unsubscribed++;
    },
    (c) => got.push(c.type),
  );
  return { life, got, counts, send: (c: MailboxChange) => hub!(c) };
}

void test('open, then gone by a gone record that reaches the listener after the state changed', () => {
  const life = new MailboxLifecycle();
  assert.doesNotThrow(() => life.check());
  const seen: string[] = [];
  const listener = life.watch((c) => {
    seen.push(c.type);
    if (c.type === 'gone') assert.throws(() => life.check(), expired(/deleted or renamed/));
  });
  listener({ type: 'keywords', keywords: [] });
  assert.ok(life.isOpen);
  listener({ type: 'gone' });
  assert.deepEqual(seen, ['keywords', 'gone']);
  assert.ok(!life.isOpen);
});

void test('close once; closed wins over gone; expire() marks gone and gives the error', () => {
  const life = new MailboxLifecycle();
  const err = life.expire();
  assert.ok(isStoreError(err, 'expired'));
  assert.throws(() => life.check(), expired(/deleted or renamed/));
  assert.equal(life.close(), true);
  assert.equal(life.close(), false);
  life.markGone();
  assert.throws(() => life.check(), expired(/closed/));
});

void test('listen/close: records reach the listener until close, which unsubscribes once', () => {
  const { life, got, counts, send } = listening();
  send({ type: 'keywords', keywords: ['a'] });
  assert.deepEqual(got, ['keywords']);
  assert.equal(life.close(), true);
  assert.equal(life.close(), false);
  assert.equal(counts.unsubscribed, 1);
});

void test('gap() unregisters the listener, then tells it gone, once', () => {
  const life = new MailboxLifecycle();
  const events: string[] = [];
  life.listen(
    () => () => events.push('unsubscribed'),
    (c) => {
      events.push(c.type);
      assert.throws(() => life.check(), expired(/deleted or renamed/));
    },
  );
  life.gap();
  life.gap();
  assert.deepEqual(events, ['unsubscribed', 'gone']);
  const broken = new MailboxLifecycle();
  broken.listen(
    () => () => {},
    () => {
      throw new Error('listener bug');
    },
  );
  assert.doesNotThrow(() => broken.gap());
  // A closed mailbox hears nothing from a gap.
  const closed = new MailboxLifecycle();
  const heard: string[] = [];
  closed.listen(() => () => {}, (c) => heard.push(c.type));
  closed.close();
  closed.gap();
  assert.deepEqual(heard, []);
});

void test('after a gone record the listener hears nothing more and is unregistered', () => {
  const { life, got, counts, send } = listening();
  send({ type: 'keywords', keywords: [] });
  send({ type: 'gone' });
  assert.equal(counts.unsubscribed, 1, 'unregistered on gone');
  send({ type: 'append', uids: [1], modseq: 2 });
  send({ type: 'gone' });
  life.gap();
  assert.deepEqual(got, ['keywords', 'gone']);
  // expire() marks gone without a record: the listener still hears the store's 'gone' when it comes.
  const expiring = listening();
  expiring.life.expire();
  expiring.send({ type: 'gone' });
  expiring.send({ type: 'append', uids: [1], modseq: 2 });
  assert.deepEqual(expiring.got, ['gone']);
});

void test('deliverGone swallows a throwing listener; assertWritable', () => {
  const got: MailboxChange[] = [];
  deliverGone((c) => got.push(c));
  assert.deepEqual(got, [{ type: 'gone' }]);
  assert.doesNotThrow(() =>
    deliverGone(() => {
      throw new Error('listener bug');
    }),
  );
  assert.throws(() => assertWritable(true), (e: unknown) => isStoreError(e, 'noPermission'));
  assert.doesNotThrow(() => assertWritable(false));
});
