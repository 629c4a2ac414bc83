/**
 * bin/mailroom as a user runs it: help, usage errors, configuration errors, the static-password refusal,
 * account administration and `deliver` exit codes (sysexits).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSqliteBackend } from '../src/store/sqlite/index.ts';
import { BIN, python, runCli, sampleMessage, startDaemon, tempDir, imapClient } from './daemon-harness.ts';

/**
 * Drives a command on a pseudo-terminal: waits for each prompt before typing the answer, then prints what
 * the terminal showed afterwards (repr) and exits with the command's status.
 */
const PTY_DRIVER = `
import os, pty, sys
answers = sys.argv[1].split(',')
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
buf = b''
def wait_for(token):
    global buf
    while token not in buf:
        chunk = os.read(fd, 1024)
        if not chunk:
            raise SystemExit('eof before %r: %r' % (token, buf))
        buf += chunk
    buf = buf[buf.index(token) + len(token):]
for prompt, answer in zip([b'New password: ', b'Repeat password: '], answers):
    wait_for(prompt)
    os.write(fd, answer.encode() + b'\\r')
rest = buf
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    rest += chunk
_, status = os.waitpid(pid, 0)
print(repr(rest))
sys.exit(os.waitstatus_to_exitcode(status))
`;

describe('mailroom CLI', () => {
  test('--help on every command, exit 0', async () => {
    // Every command's help is checked in src/daemon/cli.test.ts; here the process plumbing, twice.
    for (const args of [['--help'], ['deliver', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage:/, args.join(' '));
      assert.match(r.stdout, /Exit codes/, args.join(' '));
    }
  });

  test('usage errors exit 64 and point at --help', async () => {
    for (const args of [['frobnicate'], ['serve', '--bogus'], ['user', 'add', 'a b']]) {
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

      r = await runCli(['serve', '--data', join(dir, 'data')], { env: { MAILROOM_LOG_LEVEL: 'chatty' } });
      assert.equal(r.code, 78);
      assert.match(r.stderr, /"log\.level" \(from environment variable MAILROOM_LOG_LEVEL\): allowed: fatal, error, warn, info, debug, trace, silent/);

      // An unreachable PostgreSQL is a temporary failure (75), not a configuration error.
      r = await runCli(['user', 'list', '--store', 'postgres://mailroom@127.0.0.1:1/mail']);
      assert.equal(r.code, 75, r.stderr);
      assert.match(r.stderr, /cannot open the PostgreSQL store/);
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

  test('user add on a terminal: password asked twice without echo', async () => {
    const { dir, cleanup } = tempDir();
    const data = join(dir, 'data');
    try {
      const shown = await python(PTY_DRIVER, ['typed-secret,typed-secret', process.execPath, BIN, 'user', 'add', 'tty', '--data', data]);
      assert.match(shown, /account "tty" created/);
      assert.doesNotMatch(shown, /typed-secret/, 'the password is not echoed');
      await assert.rejects(python(PTY_DRIVER, ['one,two', process.execPath, BIN, 'user', 'passwd', 'tty', '--data', data]), /exited 65/);
      const daemon = await startDaemon(data, ['--imap', '127.0.0.1:0', '--no-demo']);
      try {
        const client = imapClient(daemon.ports.imap, 'tty', 'typed-secret');
        await client.connect();
        await client.logout();
      } finally {
        await daemon.stop('SIGTERM');
      }
    } finally {
      cleanup();
    }
  });

  test('a port already in use stops start-up with exit 74 and names the listener', async () => {
    const { dir, cleanup } = tempDir();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const r = await runCli(['serve', '--store', 'memory', '--data', dir, '--no-demo', '--lmtp', '127.0.0.1:0', '--pop3', `127.0.0.1:${port}`]);
      assert.equal(r.code, 74, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot listen for POP3 on 127\\.0\\.0\\.1:${port}: address already in use`));
    } finally {
      blocker.close();
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
      // A new account gets INBOX plus the default special-use mailboxes (issue 6).
      const store = createSqliteBackend({ path: join(dir, 'data') });
      try {
        const user = await store.openUser('alice', { protocol: 'cli', secure: true });
        assert.ok(user);
        const boxes = await user.listMailboxes();
        assert.deepEqual(boxes.map((b) => b.name).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
        assert.deepEqual(boxes.find((b) => b.name === 'Sent')?.specialUse, ['\\Sent']);
        await user.close();
      } finally {
        await store.close();
      }
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
