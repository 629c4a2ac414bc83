import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from '../errors.ts';
import type { MailboxChange } from '../types.ts';
import { MailboxLifecycle, assertWritable, deliverGone } from './mailbox-lifecycle.ts';

const expired = (message: RegExp) => (err: unknown) => isStoreError(err, 'expired') && message.test(err.message);

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
  const life = new MailboxLifecycle();
  let hub: ((c: MailboxChange) => void) | null = null;
  let unsubscribed = 0;
  const got: string[] = [];
  life.listen(
    (l) => {
      hub = l;
      return () => unsubscribed++;
    },
    (c) => got.push(c.type),
  );
  hub!({ type: 'keywords', keywords: ['a'] });
  assert.deepEqual(got, ['keywords']);
  assert.equal(life.close(), true);
  assert.equal(life.close(), false);
  assert.equal(unsubscribed, 1);
});

void test('gap() tells an open mailbox once, dropping the listener first when asked', () => {
  for (const drop of [true, false]) {
    const life = new MailboxLifecycle();
    const events: string[] = [];
    life.listen(
      () => () => events.push('unsubscribed'),
      (c) => {
        events.push(c.type);
        assert.throws(() => life.check(), expired(/deleted or renamed/));
      },
    );
    life.gap(drop);
    life.gap(drop);
    assert.deepEqual(events, drop ? ['unsubscribed', 'gone'] : ['gone']);
  }
  const broken = new MailboxLifecycle();
  broken.listen(
    () => () => {},
    () => {
      throw new Error('listener bug');
    },
  );
  assert.doesNotThrow(() => broken.gap(false));
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
