import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeModifiedUtf7, listMaildirFolders, listMaildirMessages, maildirFolderName, maildirNameTime, parseMaildirFlags,
} from './maildir.ts';

void describe('Maildir names', () => {
  void test('info suffix letters become flags; lower-case letters are Dovecot keywords', () => {
    assert.deepEqual(parseMaildirFlags('1700000000.M1P2.host,S=12:2,DFRST'), ['\\Draft', '\\Flagged', '\\Answered', '\\Seen', '\\Deleted']);
    assert.deepEqual(parseMaildirFlags('1700000000.M1P2.host:2,'), []);
    assert.deepEqual(parseMaildirFlags('1700000000.M1P2.host'), []);
    assert.deepEqual(parseMaildirFlags('x!2,S'), ['\\Seen']);
    assert.deepEqual(parseMaildirFlags('x:2,Sac', ['$Junk', 'work', 'later']), ['\\Seen', '$Junk', 'later']);
    assert.deepEqual(parseMaildirFlags('x:2,Sz', []), ['\\Seen']);
  });
  void test('leading timestamp of a file name', () => {
    assert.equal(maildirNameTime('1700000000.M1P2.host:2,S')?.toISOString(), '2023-11-14T22:13:20.000Z');
    assert.equal(maildirNameTime('msg.eml'), undefined);
  });
  void test('Maildir++ folder names, modified UTF-7 decoded', () => {
    assert.equal(maildirFolderName('.Sub.Folder'), 'Sub/Folder');
    assert.equal(maildirFolderName('.Archive'), 'Archive');
    assert.equal(decodeModifiedUtf7('Entw&APw-rfe'), 'Entwürfe');
    assert.equal(decodeModifiedUtf7('A&-B'), 'A&B');
    assert.equal(maildirFolderName('.&ZeVnLIqe-.x'), '日本語/x');
  });
});

void describe('Maildir listing', () => {
  void test('folders, cur/new messages in delivery order, flags only from cur/, mtime as internal date', async () => {
    const root = await mkdtemp(join(tmpdir(), 'maildir-'));
    try {
      for (const dir of ['', '.Sub', '.Sub.Deep', '.NotAMaildir-x']) {
        for (const sub of dir === '.NotAMaildir-x' ? [] : ['cur', 'new', 'tmp']) await mkdir(join(root, dir, sub), { recursive: true });
      }
      await mkdir(join(root, '.NotAMaildir-x'), { recursive: true });
      await writeFile(join(root, 'cur', '1600000002.M2.h:2,S'), 'a');
      await writeFile(join(root, 'new', '1600000001.M1.h'), 'b');
      await writeFile(join(root, 'new', '1600000003.M3.h:2,F'), 'c');
      await writeFile(join(root, 'tmp', '1600000004.M4.h'), 'in progress');
      await utimes(join(root, 'cur', '1600000002.M2.h:2,S'), 1_500_000_000, 1_500_000_000);
      const folders = await listMaildirFolders(root);
      assert.deepEqual(folders.map((f) => f.name), ['', 'Sub', 'Sub/Deep']);
      const entries = await listMaildirMessages(root);
      assert.deepEqual(entries.map((e) => e.path.slice(root.length + 1)), ['new/1600000001.M1.h', 'cur/1600000002.M2.h:2,S', 'new/1600000003.M3.h:2,F']);
      assert.deepEqual(entries.map((e) => e.flags), [[], ['\\Seen'], []]);
      assert.equal(entries[1].internalDate.getTime(), 1_500_000_000_000);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
