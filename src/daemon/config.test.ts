import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_MAX_MESSAGE_SIZE, envName, loadConfig } from './config.ts';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-config-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('defaults: every listener on loopback, sqlite in ./data, demo on', () => {
  withDir((dir) => {
    const c = loadConfig({ values: [] }, {}, dir);
    assert.equal(c.dataDir, join(dir, 'data'));
    assert.deepEqual(c.store, { kind: 'sqlite' });
    assert.equal(c.demo, true);
    assert.equal(c.staticPassword, null);
    assert.equal(c.allowInsecureAuth, false);
    assert.equal(c.configFile, null);
    assert.deepEqual(c.listeners, {
      imap: { host: '127.0.0.1', port: 1143 },
      imaps: { host: '127.0.0.1', port: 1993 },
      pop3: { host: '127.0.0.1', port: 1110 },
      pop3s: { host: '127.0.0.1', port: 1995 },
      lmtp: { host: '127.0.0.1', port: 2424 },
      metrics: { host: '127.0.0.1', port: 9464 },
    });
    assert.equal(c.tls, null);
    assert.equal(c.tlsMinVersion, 'TLSv1.2');
    assert.equal(c.maxMessageSize, DEFAULT_MAX_MESSAGE_SIZE);
    assert.equal(c.autoLogoutSeconds, 1800);
  });
});

test('file, then environment, then flags', () => {
  withDir((dir) => {
    writeFileSync(
      join(dir, 'mailroom.toml'),
      'data_dir = "/var/lib/mailroom"\ndemo = false\n[listen]\nimap = ":143"\npop3 = "off"\nlmtp = false\n[log]\nlevel = "debug"\n[limits]\nmax_message_size = 2048\n',
    );
    const c = loadConfig(
      { values: [{ key: 'listen.imap', value: '127.0.0.1:0', flag: '--imap' }] },
      { MAILROOM_LOG_LEVEL: 'warn', MAILROOM_DEMO: 'yes', MAILROOM_LIMITS_MAX_MESSAGE_SIZE: '4096' },
      dir,
    );
    assert.equal(c.configFile, join(dir, 'mailroom.toml'));
    assert.equal(c.dataDir, '/var/lib/mailroom');
    assert.equal(c.demo, true);
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.maxMessageSize, 4096);
    assert.deepEqual(c.listeners.imap, { host: '127.0.0.1', port: 0 });
    assert.equal(c.listeners.pop3, undefined);
    assert.equal(c.listeners.lmtp, undefined);
    assert.deepEqual(c.listeners.imaps, { host: '127.0.0.1', port: 1993 });
  });
});

test('invalid values name the key, the source and what is allowed', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'mailroom.toml'), '[log]\nlevel = "loud"\n');
    assert.throws(() => loadConfig({ values: [] }, {}, dir), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /"log\.level"/);
      assert.match(err.message, /mailroom\.toml/);
      assert.match(err.message, /allowed: fatal, error, warn, info, debug, trace, silent/);
      return true;
    });
  });
  assert.throws(() => loadConfig({ values: [] }, { MAILROOM_DEMO: 'maybe' }, tmpdir()), /"demo" \(from environment variable MAILROOM_DEMO\): must be true or false/);
  assert.throws(() => loadConfig({ values: [{ key: 'store', value: 'mysql', flag: '--store' }] }, {}, tmpdir()), /"store" \(from --store\): allowed: "sqlite", "memory"/);
  assert.throws(() => loadConfig({ values: [{ key: 'listen.imap', value: 'nowhere', flag: '--imap' }] }, {}, tmpdir()), /"listen\.imap" \(from --imap\).*no port/);
  assert.throws(() => loadConfig({ values: [] }, { MAILROOM_LIMITS_AUTO_LOGOUT: '60' }, tmpdir()), /"limits\.auto_logout".*at least 1800/);
});

test('unknown keys and variables are errors', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'mailroom.toml'), 'data_dri = "x"\n');
    assert.throws(() => loadConfig({ values: [] }, {}, dir), /unknown config key "data_dri"/);
    writeFileSync(join(dir, 'mailroom.toml'), '[listen]\nimap4 = ":1"\n');
    assert.throws(() => loadConfig({ values: [] }, {}, dir), /unknown config key "listen\.imap4"/);
  });
  assert.throws(() => loadConfig({ values: [] }, { MAILROOM_DATADIR: 'x' }, tmpdir()), /unknown environment variable MAILROOM_DATADIR/);
  const off = loadConfig({ values: [] }, { MAILROOM_LISTEN_POP3: 'false', MAILROOM_LISTEN_POP3S: 'off' }, tmpdir());
  assert.equal(off.listeners.pop3, undefined);
  assert.equal(off.listeners.pop3s, undefined);
});

test('TOML syntax errors and missing files', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'bad.toml'), 'demo = \n');
    assert.throws(() => loadConfig({ configFile: 'bad.toml', values: [] }, {}, dir), /bad\.toml:1:\d+: invalid TOML/);
    assert.throws(() => loadConfig({ configFile: 'missing.toml', values: [] }, {}, dir), /missing\.toml does not exist/);
    assert.throws(() => loadConfig({ values: [] }, { MAILROOM_CONFIG: 'missing.toml' }, dir), /does not exist/);
  });
});

test('tls cert and key go together; postgres URLs are parsed as a store choice', () => {
  assert.throws(() => loadConfig({ values: [] }, { MAILROOM_TLS_CERT: '/x.pem' }, tmpdir()), /tls\.cert and tls\.key must be given together/);
  const c = loadConfig({ values: [] }, { MAILROOM_STORE: 'postgres://db/mail' }, tmpdir());
  assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://db/mail' });
  assert.equal(envName('listen.pop3s'), 'MAILROOM_LISTEN_POP3S');
});
