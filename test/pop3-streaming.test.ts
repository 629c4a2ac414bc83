/* eslint-disable @typescript-eslint/require-await -- the interface is async (Promise-returning) even where this implementation needs no await */
/**
 * Streaming with backpressure: a 50 MB RETR is pulled from the handler only as fast as the client reads.
 * While the client does not read, the server must stop pulling after the socket buffers fill, far below the
 * message size (DESIGN.md section 3: a 50 MB message never needs 50 MB of heap per reader).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Pop3Server } from '../src/pop3/index.ts';
import { MemoryMaildrops, Pop3LineClient } from '../src/pop3/testing.ts';

const LINE = Buffer.from('x'.repeat(78) + '\r\n');
const CHUNK = Buffer.concat(Array.from({ length: 800 }, () => LINE)); // 64,000 octets
const CHUNKS = 800; // 51.2 MB
const SIZE = CHUNK.length * CHUNKS;
/** Generous allowance for kernel socket buffers and stream high-water marks on loopback. */
const MAX_AHEAD = 16 * 1024 * 1024;

void test('RETR of a 50 MB message streams with backpressure', async () => {
  const drops = new MemoryMaildrops();
  drops.addUser('alice', 'secret');
  drops.deliver('alice', 'placeholder');
  let produced = 0;
  const server = new Pop3Server({
    authFailureDelay: 0,
    onConnection: () => ({
      ...drops.handler(),
      getMessageSize: async () => SIZE,
      getMessageReader: async () => {
        let sent = 0;
        return new Readable({
          read() {
            if (sent === CHUNKS) {
              this.push(null);
              return;
            }
            sent++;
            produced += CHUNK.length;
            this.push(CHUNK);
          },
        });
      },
    }),
  });
  const { port } = await server.listen(0);
  try {
    const client = await Pop3LineClient.connect(port);
    await client.readLine();
    client.send('USER alice');
    await client.readLine();
    client.send('PASS secret');
    await client.readLine();
    // Stop reading, ask for the message, and give the server ample time to (wrongly) pull everything.
    client.socket.pause();
    client.send('RETR 1');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(produced > 0, 'the server started sending');
    assert.ok(produced < MAX_AHEAD, `the server pulled ${produced} octets while the client read nothing`);
    // Now read everything and check the size.
    let received = 0;
    let tail = Buffer.alloc(0);
    client.socket.removeAllListeners('data');
    const done = new Promise<void>((resolve) => {
      client.socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        tail = Buffer.concat([tail, chunk]).subarray(-5);
        if (tail.toString() === '\r\n.\r\n') resolve();
      });
    });
    client.socket.resume();
    await done;
    assert.equal(received, `+OK ${SIZE} octets\r\n`.length + SIZE + 3);
    client.destroy();
  } finally {
    await server.close();
  }
});
