import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ImapReceiver, type ReceiverEvent } from './receiver.ts';

/** Feed chunks; accept every literal; collect events as printable strings. */
function run(chunks: Buffer[], limits?: ConstructorParameters<typeof ImapReceiver>[0]): string[] {
  const r = new ImapReceiver(limits);
  const out: string[] = [];
  const drain = (): void => {
    let ev: ReceiverEvent | null;
    while ((ev = r.next()) !== null) {
      if (ev.type === 'command') out.push('cmd:' + ev.bytes.toString('latin1'));
      else if (ev.type === 'literal') {
        out.push(`lit:${ev.size}${ev.nonSync ? '+' : ''}`);
        r.acceptLiteral(ev.size);
      } else out.push('err:' + ev.reason);
    }
  };
  for (const c of chunks) {
    r.push(c);
    drain();
  }
  return out;
}

const INPUT = Buffer.from(
  'a1 NOOP\r\n' +
    'a2 LOGIN {5}\r\nalice {8+}\r\npass\r\nwd\r\n' +
    'a3 LOGIN "quoted {3}" x\r\n' +
    'a4 APPEND INBOX (\\Seen) {0}\r\n\r\n' +
    'a5 SELECT "a \\"q\\" {2}"\r\n' +
    'bare\n',
);

describe('ImapReceiver', () => {
  test('commands, literals inline, quoted {n} is not a literal', () => {
    assert.deepEqual(run([INPUT]), [
      'cmd:a1 NOOP',
      'lit:5',
      'lit:8+',
      'cmd:a2 LOGIN {5}\r\nalice {8+}\r\npass\r\nwd',
      'cmd:a3 LOGIN "quoted {3}" x',
      'lit:0',
      'cmd:a4 APPEND INBOX (\\Seen) {0}\r\n',
      'cmd:a5 SELECT "a \\"q\\" {2}"',
      'cmd:bare',
    ]);
  });

  test('any split of the input gives the same events (every single split point)', () => {
    const whole = run([INPUT]);
    for (let i = 0; i <= INPUT.length; i++) {
      assert.deepEqual(run([INPUT.subarray(0, i), INPUT.subarray(i)]), whole, `split at ${i}`);
    }
    assert.deepEqual(run([...INPUT].map((b) => Buffer.from([b]))), whole, 'byte by byte');
  });

  test('any random chunking gives the same events (property)', () => {
    const whole = run([INPUT]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: INPUT.length }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(INPUT.subarray(prev, p));
          prev = p;
        }
        chunks.push(INPUT.subarray(prev));
        assert.deepEqual(run(chunks), whole);
      }),
    );
  });

  test('waits for a decision before reading literal bytes; reject drops the command', () => {
    const r = new ImapReceiver();
    r.push(Buffer.from('t1 APPEND INBOX {100000000}\r\nt2 NOOP\r\n'));
    const ev = r.next();
    assert.equal(ev?.type, 'literal');
    assert.equal(r.next(), null, 'paused until acceptLiteral/rejectLiteral');
    r.rejectLiteral();
    const next = r.next();
    assert.equal(next?.type === 'command' && next.bytes.toString(), 't2 NOOP');
  });

  test('line length and command length limits', () => {
    const limits = { maxLineLength: 10, maxCommandLength: 20, maxLiterals: 1 };
    assert.deepEqual(run([Buffer.from('a NOOP\r\n0123456789ABC')], limits), ['cmd:a NOOP', 'err:lineTooLong']);
    assert.deepEqual(run([Buffer.from('a X {1}\r\nx {1}\r\ny\r\n')], limits), ['lit:1', 'err:commandTooLong']);
  });

  test('discardLiteral drops a refused {n+} literal and the rest of its command, at any split', () => {
    // d1's first literal is refused (LITERAL-); its second {n+} literal and its last line go too; d2 survives.
    const input = Buffer.from('d1 CREATE {6+}\r\nab\r\ncd {2+}\r\n\r\n end\r\nd2 NOOP\r\n');
    const events = (chunks: Buffer[]): string[] => {
      const r = new ImapReceiver();
      const out: string[] = [];
      let first = true;
      for (const c of chunks) {
        r.push(c);
        let ev: ReceiverEvent | null;
        while ((ev = r.next()) !== null) {
          if (ev.type === 'literal') {
            out.push(`lit:${ev.size}`);
            if (first) r.discardLiteral(ev.size);
            else r.acceptLiteral(ev.size);
            first = false;
          } else out.push(ev.type === 'command' ? 'cmd:' + ev.bytes.toString('latin1') : 'err:' + ev.reason);
        }
      }
      return out;
    };
    const whole = events([input]);
    assert.deepEqual(whole, ['lit:6', 'cmd:d2 NOOP']);
    for (let i = 0; i <= input.length; i++) assert.deepEqual(events([input.subarray(0, i), input.subarray(i)]), whole, `split at ${i}`);
    // A synchronizing literal in a discarded command ends it (the client waits for a "+" never sent).
    const r = new ImapReceiver();
    r.push(Buffer.from('e1 X {3+}\r\nabc {5}\r\ne2 NOOP\r\n'));
    const ev = r.next();
    assert.equal(ev?.type, 'literal');
    r.discardLiteral(3);
    const next = r.next();
    assert.equal(next?.type === 'command' && next.bytes.toString(), 'e2 NOOP');
  });

  test('reset discards pipelined input', () => {
    const r = new ImapReceiver();
    r.push(Buffer.from('a STARTTLS\r\nb LOGIN x y\r\n'));
    assert.equal(r.next()?.type, 'command');
    r.reset();
    assert.equal(r.next(), null);
  });
});

describe('ImapReceiver (generated commands)', () => {
  /** A command: text parts, each but the last followed by a literal (random bytes: CR, LF, quotes...). */
  const command = fc.record({
    // Each text: atoms and quoted strings; quoted ones may contain `{3}`, `\"` and `\\` (never a literal).
    texts: fc.array(
      fc
        .array(fc.oneof(fc.stringMatching(/^[a-z0-9()]{1,6}$/), fc.stringMatching(/^"([a-z {}0-9]|\\["\\]){0,8}"$/)), { minLength: 1, maxLength: 3 })
        .map((words) => words.join(' ')),
      { minLength: 1, maxLength: 4 },
    ),
    literals: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 3 }),
    nonSync: fc.boolean(),
  });

  test('random commands with literals, randomly split, come out whole (property)', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (cmds, cuts) => {
        const wire: Buffer[] = [];
        const expected: string[] = [];
        cmds.forEach((c, n) => {
          const texts = c.texts;
          const parts: Buffer[] = [Buffer.from(`t${n} X `)];
          const lits = c.literals.slice(0, texts.length - 1);
          texts.forEach((t, i) => {
            parts.push(Buffer.from(t, 'latin1'));
            if (i < lits.length) {
              expected.push(`lit:${lits[i].length}${c.nonSync ? '+' : ''}`);
              parts.push(Buffer.from(` {${lits[i].length}${c.nonSync ? '+' : ''}}\r\n`), Buffer.from(lits[i]));
            }
          });
          const body = Buffer.concat(parts);
          expected.push('cmd:' + body.toString('latin1'));
          wire.push(body, Buffer.from('\r\n'));
        });
        const all = Buffer.concat(wire);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(all.subarray(prev, p));
          prev = p;
        }
        chunks.push(all.subarray(prev));
        assert.deepEqual(run(chunks), expected);
      }),
      { numRuns: 300 },
    );
  });
});
