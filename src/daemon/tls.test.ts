import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { ensureSelfSigned, openTls, TlsConfigError, TlsManager } from './tls.ts';

test('self-signed certificate: SAN localhost and host name, key 0600, reused on the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-tls-'));
  try {
    const first = await ensureSelfSigned(dir, 'mail.example.test');
    assert.equal(first.generated, true);
    const cert = new X509Certificate(readFileSync(first.cert));
    assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
    assert.match(cert.subjectAltName ?? '', /DNS:mail\.example\.test/);
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(statSync(first.key).mode & 0o777, 0o600);
    const before = readFileSync(first.cert, 'utf8');
    const second = await ensureSelfSigned(dir, 'mail.example.test');
    assert.equal(second.generated, false);
    assert.equal(readFileSync(second.cert, 'utf8'), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Fingerprint of the certificate the server presents; verified against `ca` when given. */
function peerFingerprint(port: number, ca?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const trust = ca ? { ca } : { rejectUnauthorized: false };
    const s = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ...trust, minVersion: 'TLSv1.2' }, () => {
      resolve(s.getPeerX509Certificate()?.fingerprint256 ?? '');
      s.end();
    });
    s.on('error', reject);
  });
}

test('STARTTLS-style upgrades pick up a reloaded certificate; bad files are refused and the old pair kept', async (t) => {
  const a = mkdtempSync(join(tmpdir(), 'mailroom-tls-a-'));
  const b = mkdtempSync(join(tmpdir(), 'mailroom-tls-b-'));
  const live = mkdtempSync(join(tmpdir(), 'mailroom-tls-live-'));
  try {
    const pa = await ensureSelfSigned(a, 'localhost');
    const pb = await ensureSelfSigned(b, 'localhost');
    const files = { cert: join(live, 'cert.pem'), key: join(live, 'key.pem') };
    copyFileSync(pa.cert, files.cert);
    copyFileSync(pa.key, files.key);
    const { manager } = await openTls({ kind: 'files', ...files }, 'TLSv1.2');
    // A plain server that upgrades every connection with the manager's options, as STARTTLS does.
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const secure = new TLSSocket(socket, { isServer: true, ...manager.serverOptions() });
      secure.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const fpA = new X509Certificate(readFileSync(pa.cert)).fingerprint256;
    const fpB = new X509Certificate(readFileSync(pb.cert)).fingerprint256;
    // Verified: the generated certificate is a usable trust anchor for localhost.
    assert.equal(await peerFingerprint(port, readFileSync(pa.cert)), fpA);
    copyFileSync(pb.cert, files.cert);
    copyFileSync(pb.key, files.key);
    manager.reload();
    assert.equal(await peerFingerprint(port, readFileSync(pb.cert)), fpB);
    writeFileSync(files.cert, 'garbage');
    assert.throws(() => manager.reload(), TlsConfigError);
    assert.equal(await peerFingerprint(port), fpB);
  } finally {
    for (const d of [a, b, live]) rmSync(d, { recursive: true, force: true });
  }
});

test('missing files are a TlsConfigError naming the file', () => {
  assert.throws(() => TlsManager.load({ cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' }, 'TLSv1.2'), /\/nonexistent\/cert\.pem/);
});
