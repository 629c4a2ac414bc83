import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressError, formatAddress, isLoopbackHost, parseListenAddress } from './address.ts';

test('parses HOST:PORT, [V6]:PORT and :PORT', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:1143'), { host: '127.0.0.1', port: 1143 });
  assert.deepEqual(parseListenAddress('[::1]:993'), { host: '::1', port: 993 });
  assert.deepEqual(parseListenAddress(':1993'), { host: '0.0.0.0', port: 1993 });
  assert.deepEqual(parseListenAddress('localhost:0'), { host: 'localhost', port: 0 });
  assert.deepEqual(parseListenAddress('mail.example.org:143'), { host: 'mail.example.org', port: 143 });
});

test('rejects malformed addresses with a reason', () => {
  for (const bad of ['1143', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:-1', '::1:143', '[zz]:1', 'a b:1', 'host:1x']) {
    assert.throws(() => parseListenAddress(bad), AddressError, bad);
  }
});

test('formats addresses, IPv6 in brackets', () => {
  assert.equal(formatAddress({ host: '127.0.0.1', port: 5 }), '127.0.0.1:5');
  assert.equal(formatAddress({ host: '::1', port: 5 }), '[::1]:5');
});

test('loopback detection', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1', '[::1]']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.org', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});
