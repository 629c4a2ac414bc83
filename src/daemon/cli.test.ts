import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { parseCommandLine } from './cli.ts';
import { loadConfig } from './config.ts';
import { CliError } from './exit-codes.ts';

function serveConfig(argv: string[], env: Record<string, string> = {}) {
  const command = parseCommandLine(['serve', ...argv]);
  assert.equal(command.kind, 'serve');
  if (command.kind !== 'serve') throw new Error('unreachable');
  return loadConfig(command.overrides, env, tmpdir());
}

test('without listener flags every configured listener starts; with any, only the listed ones', () => {
  assert.deepEqual(Object.keys(serveConfig([]).listeners), ['imap', 'imaps', 'pop3', 'pop3s', 'lmtp', 'metrics']);
  const c = serveConfig(['--imap', '127.0.0.1:0', '--lmtp', '[::1]:2424'], { MAILROOM_LISTEN_POP3: '127.0.0.1:110' });
  assert.deepEqual(c.listeners, { imap: { host: '127.0.0.1', port: 0 }, lmtp: { host: '::1', port: 2424 } });
  // Environment and file still choose addresses when no listener flag is given.
  assert.deepEqual(serveConfig([], { MAILROOM_LISTEN_POP3: 'off' }).listeners.pop3, undefined);
});

test('serve flags map to config keys', () => {
  const c = serveConfig(['--store', 'memory', '--data', '/srv/mail', '--static-password', 'pw', '--no-demo']);
  assert.deepEqual(c.store, { kind: 'memory' });
  assert.equal(c.dataDir, '/srv/mail');
  assert.equal(c.staticPassword, 'pw');
  assert.equal(c.demo, false);
});

test('--help on every command', () => {
  for (const args of [[], ['--help'], ['serve', '--help'], ['user', '--help'], ['user', 'add', '--help'], ['user', 'list', '-h'], ['deliver', '--help'], ['import', '--help']]) {
    const command = parseCommandLine(args);
    assert.equal(command.kind, 'help', args.join(' '));
    if (command.kind === 'help') assert.match(command.text, /Usage:[\s\S]*Exit codes/, args.join(' '));
  }
});

test('commands and their arguments', () => {
  assert.deepEqual(parseCommandLine(['user', 'add', 'alice', '--password-stdin']), {
    kind: 'user-add',
    name: 'alice',
    passwordStdin: true,
    overrides: { values: [] },
  });
  assert.deepEqual(parseCommandLine(['deliver', 'bob@example.org', '-m', 'Lists', '--config', 'x.toml']), {
    kind: 'deliver',
    name: 'bob@example.org',
    mailbox: 'Lists',
    overrides: { configFile: 'x.toml', values: [] },
  });
  assert.deepEqual(parseCommandLine(['import', 'bob', '/tmp/mbox']), { kind: 'import', name: 'bob', path: '/tmp/mbox', mailbox: null, overrides: { values: [] } });
  assert.equal(parseCommandLine(['user', 'list', '--help']).kind, 'help');
  for (const bad of [
    ['user', 'list', 'extra'],
    ['deliver', 'a', 'b'],
    ['deliver'],
    ['import', 'alice'],
    ['user', 'nope', 'x'],
    ['user', 'add'],
    ['user', 'del', 'x', '--password-stdin'],
    ['serve', 'now'],
    ['frobnicate'],
  ]) {
    assert.throws(() => parseCommandLine(bad), (err: unknown) => err instanceof CliError && err.exitCode === 64, bad.join(' '));
  }
});
