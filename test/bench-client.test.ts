/**
 * The benchmark IMAP client (bench/lib/imap-client.ts) against a scripted fake server on 127.0.0.1:0:
 * pipelined commands resolve in order, response literals are read whole however the bytes are split,
 * synchronizing literals wait for `+` (and later commands wait behind them), LITERAL+ sends at once, IDLE.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { ImapClient, fetchUid, searchUids, responseCode, ImapCommandError } from '../bench/lib/imap-client.ts';

interface Fake {
  server: Server;
  port: number;
  /** Every command line the server received, literals inlined as <n bytes>. */
  received: string[];
  close(): Promise<void>;
}

/** A fake server: reads command lines (with synchronizing or non-synchronizing literals) and answers via `answer`. */
async function fake(capabilities: string, answer: (tag: string, cmd: string, sock: Socket) => void): Promise<Fake> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.write(`* OK [CAPABILITY ${capabilities}] fake ready\r\n`);
    let buf = Buffer.alloc(0);
    let line = '';
    let need = -1;
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (need >= 0) {
          if (buf.length < need) return;
          line += `<${need} bytes>`;
          buf = buf.subarray(need);
          need = -1;
          continue;
        }
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        const text = buf.toString('latin1', 0, eol);
        buf = buf.subarray(eol + 2);
        const m = /\{(\d+)(\+?)\}$/.exec(text);
        if (m) {
          line += text.slice(0, m.index);
          need = Number(m[1]);
          if (!m[2]) sock.write('+ go ahead\r\n');
          continue;
        }
        line += text;
        received.push(line);
        const sp = line.indexOf(' ');
        if (sp < 0) answer(line, '', sock);
        else answer(line.slice(0, sp), line.slice(sp + 1), sock);
        line = '';
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    server,
    port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

void describe('bench IMAP client', () => {
  void test('pipelined commands resolve in order with their untagged responses and literals', async () => {
    const srv = await fake('IMAP4rev1', (tag, cmd, sock) => {
      if (cmd.startsWith('FETCH')) {
        // Split a literal-bearing response across several writes to exercise the resumable reader.
        const msg = 'Subject: hi\r\n\r\nbody\r\n';
        const bytes = `* 1 FETCH (UID 7 BODY[] {${msg.length}}\r\n${msg})\r\n${tag} OK done\r\n`;
        for (let i = 0; i < bytes.length; i += 5) sock.write(bytes.slice(i, i + 5));
      } else if (cmd.startsWith('UID SEARCH')) {
        sock.write(`* SEARCH 3 5 8\r\n${tag} OK [UIDNEXT 9] done\r\n`);
      } else if (cmd === 'NOOP') {
        sock.write(`${tag} NO nope\r\n`);
      } else {
        sock.write(`${tag} OK fine\r\n`);
      }
    });
    const c = await ImapClient.connect(srv.port);
    assert.ok(c.has('imap4rev1'));
    const [fetch, search, noop] = await Promise.all([
      c.command('FETCH 1 (UID BODY[])'),
      c.command('UID SEARCH ALL'),
      c.command('NOOP', { expectOk: false }),
    ]);
    assert.equal(fetch.status, 'OK');
    assert.equal(fetch.untagged.length, 1);
    assert.equal(fetchUid(fetch.untagged[0]), 7);
    assert.equal(fetch.untagged[0].literals[0].toString(), 'Subject: hi\r\n\r\nbody\r\n');
    assert.deepEqual(searchUids(search), [3, 5, 8]);
    assert.equal(responseCode(search, 'UIDNEXT'), '9');
    assert.equal(noop.status, 'NO');
    await assert.rejects(c.command('NOOP'), ImapCommandError);
    c.close();
    await srv.close();
  });

  void test('a synchronizing literal waits for + and holds back later commands', async () => {
    const srv = await fake('IMAP4rev1', (tag, _cmd, sock) => sock.write(`${tag} OK stored\r\n`));
    const c = await ImapClient.connect(srv.port);
    const a = c.command(['APPEND INBOX ', Buffer.from('Subject: a\r\n\r\nx\r\n')]);
    const b = c.command(['APPEND INBOX ', Buffer.from('Subject: bb\r\n\r\ny\r\n')]);
    const n = c.command('NOOP');
    await Promise.all([a, b, n]);
    assert.deepEqual(srv.received.map((l) => l.replace(/^a\d+ /, '')), ['APPEND INBOX <17 bytes>', 'APPEND INBOX <18 bytes>', 'NOOP']);
    c.close();
    await srv.close();
  });

  void test('LITERAL+ sends literals without waiting', async () => {
    const srv = await fake('IMAP4rev1 LITERAL+', (tag, _cmd, sock) => sock.write(`${tag} OK stored\r\n`));
    const c = await ImapClient.connect(srv.port);
    assert.ok(c.has('LITERAL+'));
    const results = await Promise.all([1, 2, 3].map((i) => c.command(['APPEND INBOX ', Buffer.alloc(i, 'x')])));
    assert.equal(results.length, 3);
    assert.deepEqual(srv.received.map((l) => l.replace(/^a\d+ /, '')), ['APPEND INBOX <1 bytes>', 'APPEND INBOX <2 bytes>', 'APPEND INBOX <3 bytes>']);
    c.close();
    await srv.close();
  });

  void test('IDLE delivers unsolicited EXISTS and DONE ends it', async () => {
    let idleTag = '';
    const srv = await fake('IMAP4rev1 IDLE', (tag, cmd, sock) => {
      if (cmd === 'IDLE') {
        idleTag = tag;
        sock.write('+ idling\r\n* 2 EXISTS\r\n');
      } else if (tag === 'DONE') {
        sock.write(`${idleTag} OK IDLE terminated\r\n`);
      }
    });
    const c = await ImapClient.connect(srv.port);
    const seen: string[] = [];
    const got = new Promise<void>((resolve) => {
      c.onUnsolicited = (r) => {
        seen.push(r.line);
        resolve();
      };
    });
    await c.idle();
    await got;
    assert.deepEqual(seen, ['* 2 EXISTS']);
    const done = await c.done();
    assert.equal(done.status, 'OK');
    c.close();
    await srv.close();
  });
});
