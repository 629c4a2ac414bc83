/**
 * bin/mailroom as a user runs it: help, usage errors, configuration errors, the static-password refusal,
 * account administration and `deliver` exit codes (sysexits).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, sampleMessage, tempDir } from './daemon-harness.ts';

describe('mailroom CLI', () => {
  test('--help on every command, exit 0', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['user', '--help'], ['user', 'add', '--help'], ['deliver', '--help'], ['import', '--help'], []]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage:/, args.join(' '));
      assert.match(r.stdout, /Exit codes/, args.join(' '));
    }
  });

  test('usage errors exit 64 and point at --help', async () => {
    for (const args of [['frobnicate'], ['serve', '--bogus'], ['user', 'add'], ['user', 'nope', 'x'], ['deliver'], ['import', 'alice'], ['user', 'add', 'a b']]) {
      const r = await runCli(args);
      assert.equal(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--help/);
    }
  });

  test('invalid configuration stops start-up with exit 78 and names the key', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'mailroom.toml'), '[listen]\nimap = "127.0.0.1:99999"\n');
      let r = await runCli(['serve', '--config', join(dir, 'mailroom.toml'), '--data', join(dir, 'data')]);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /invalid config key "listen\.imap" \(from .*mailroom\.toml\).*port must be 0-65535/);

      writeFileSync(join(dir, 'mailroom.toml'), 'colour = "blue"\n');
      r = await runCli(['serve', '--data', join(dir, 'data')], { cwd: dir });
      assert.equal(r.code, 78);
      assert.match(r.stderr, /unknown config key "colour"/);

      r = await runCli(['serve', '--data', join(dir, 'data'), '--config', join(dir, 'none.toml')]);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /does not exist/);

      r = await runCli(['serve', '--data', join(dir, 'data')], { env: { MAILROOM_LOG_LEVEL: 'chatty' } });
      assert.equal(r.code, 78);
      assert.match(r.stderr, /"log\.level" \(from environment variable MAILROOM_LOG_LEVEL\): allowed: fatal, error, warn, info, debug, trace, silent/);

      r = await runCli(['serve', '--data', join(dir, 'data'), '--lmtp', 'localhost']);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /"listen\.lmtp" \(from --lmtp\)/);

      r = await runCli(['user', 'list', '--store', 'postgres://db.example/mail']);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /postgres.*not implemented/);
    } finally {
      cleanup();
    }
  });

  test('--static-password is refused unless every listener is on loopback', async () => {
    const { dir, cleanup } = tempDir();
    try {
      let r = await runCli(['serve', '--store', 'memory', '--data', dir, '--static-password', 'pw', '--imap', '0.0.0.0:0', '--lmtp', '127.0.0.1:0']);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /static_password \(--static-password\) is refused: listener imap is on 0\.0\.0\.0:0/);
      // The same with a config file putting a default listener on every interface.
      writeFileSync(join(dir, 'mailroom.toml'), '[listen]\npop3s = ":1995"\n');
      r = await runCli(['serve', '--store', 'memory', '--data', dir, '--static-password', 'pw', '--config', join(dir, 'mailroom.toml')]);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /listener pop3s is on 0\.0\.0\.0:1995/);
    } finally {
      cleanup();
    }
  });

  test('user add, list, passwd, del on the SQLite store; errors map to sysexits', async () => {
    const { dir, cleanup } = tempDir();
    const data = ['--data', join(dir, 'data')];
    try {
      let r = await runCli(['user', 'add', 'alice', '--password-stdin', ...data], { input: 'secret one\n' });
      assert.equal(r.code, 0, r.stderr);
      r = await runCli(['user', 'add', 'bob@example.test', '--password-stdin', ...data], { input: 'pw2' });
      assert.equal(r.code, 0, r.stderr);
      r = await runCli(['user', 'list', ...data]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), ['alice', 'bob@example.test']);
      r = await runCli(['user', 'add', 'alice', '--password-stdin', ...data], { input: 'x\n' });
      assert.equal(r.code, 73);
      assert.match(r.stderr, /already exists/);
      r = await runCli(['user', 'add', 'carol', '--password-stdin', ...data], { input: '\n' });
      assert.equal(r.code, 65);
      assert.match(r.stderr, /empty password/);
      r = await runCli(['user', 'add', 'carol', ...data]);
      assert.equal(r.code, 64, 'no terminal and no --password-stdin');
      assert.match(r.stderr, /--password-stdin/);
      r = await runCli(['user', 'passwd', 'alice', '--password-stdin', ...data], { input: 'secret two\n' });
      assert.equal(r.code, 0, r.stderr);
      r = await runCli(['user', 'passwd', 'nobody', '--password-stdin', ...data], { input: 'x\n' });
      assert.equal(r.code, 67);
      r = await runCli(['user', 'del', 'bob@example.test', ...data]);
      assert.equal(r.code, 0, r.stderr);
      r = await runCli(['user', 'del', 'bob@example.test', ...data]);
      assert.equal(r.code, 67);
      r = await runCli(['user', 'list', ...data]);
      assert.deepEqual(r.stdout.trim().split('\n'), ['alice']);

      // deliver: 0 for a known account (user+detail@domain resolves to it), 67 unknown, 65 empty input.
      r = await runCli(['deliver', 'alice+news@example.test', ...data], { input: sampleMessage('cli delivery') });
      assert.equal(r.code, 0, r.stderr);
      r = await runCli(['deliver', 'mallory', ...data], { input: sampleMessage('nobody home') });
      assert.equal(r.code, 67);
      r = await runCli(['deliver', 'alice', ...data], { input: '' });
      assert.equal(r.code, 65);
      r = await runCli(['import', 'alice', join(dir, 'missing.mbox'), ...data]);
      assert.equal(r.code, 66);
    } finally {
      cleanup();
    }
  });
});
