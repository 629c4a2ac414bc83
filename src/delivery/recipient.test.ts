import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../store/memory/index.ts';
import { candidateAccounts, parseRecipient, resolveRecipient } from './recipient.ts';

const info = { protocol: 'lmtp', secure: false } as const;

void describe('parseRecipient', () => {
  void test('splits local part, detail and domain, strips brackets, lower-cases the domain', () => {
    assert.deepEqual(parseRecipient('<Bob+Lists@Example.COM>'), {
      address: 'Bob+Lists@example.com', local: 'Bob+Lists', user: 'Bob', detail: 'Lists', domain: 'example.com',
    });
    assert.deepEqual(parseRecipient('alice'), { address: 'alice', local: 'alice', user: 'alice', detail: null, domain: null });
  });
  void test('a leading + is not a detail separator; the last @ splits the domain', () => {
    assert.equal(parseRecipient('+x@d').user, '+x');
    assert.equal(parseRecipient('"a@b"@d').local, '"a@b"');
  });
});

void describe('candidateAccounts', () => {
  void test('full address first, then without detail, then local parts', () => {
    assert.deepEqual(candidateAccounts(parseRecipient('u+d@ex.org')), ['u+d@ex.org', 'u@ex.org', 'u+d', 'u']);
    assert.deepEqual(candidateAccounts(parseRecipient('u@ex.org')), ['u@ex.org', 'u']);
    assert.deepEqual(candidateAccounts(parseRecipient('u+d')), ['u+d', 'u']);
  });
});

void describe('resolveRecipient', () => {
  void test('local@domain goes to the account local@domain when it exists, else to local', async () => {
    const backend = createMemoryBackend({ users: { alice: 'pw', 'alice@b.example': 'pw' } });
    const a = await resolveRecipient('alice@b.example', { backend, info });
    assert.equal(a.kind === 'found' && a.account, 'alice@b.example');
    const b = await resolveRecipient('alice@other.example', { backend, info });
    assert.equal(b.kind === 'found' && b.account, 'alice');
    const c = await resolveRecipient('<alice+news@other.example>', { backend, info });
    assert.equal(c.kind === 'found' && c.account, 'alice');
    const d = await resolveRecipient('alice+news', { backend, info });
    assert.equal(d.kind === 'found' && d.account, 'alice');
    for (const r of [a, b, c, d]) if (r.kind === 'found') await r.user.close();
  });

  void test('unknown recipients stay unknown unless createMissing creates the account', async () => {
    const backend = createMemoryBackend();
    assert.equal((await resolveRecipient('nobody@x', { backend, info })).kind, 'unknown');
    const created: string[] = [];
    const createMissing = async (name: string): Promise<boolean> => {
      created.push(name);
      await backend.createAccount(name, 'x');
      return true;
    };
    const r = await resolveRecipient('carol+tag@x.example', { backend, info, createMissing });
    assert.equal(r.kind, 'found');
    assert.deepEqual(created, ['carol']);
    assert.equal(r.kind === 'found' && r.account, 'carol');
    // createMissing refusing leaves the recipient unknown.
    const refused = await resolveRecipient('dave@x', { backend, info, createMissing: () => Promise.resolve(false) });
    assert.equal(refused.kind, 'unknown');
  });
});
