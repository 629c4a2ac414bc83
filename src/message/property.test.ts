/**
 * Property tests (fast-check): generated MIME trees serialize, parse and compare equal; arbitrary bytes
 * never make the parser (or the record codec and renderers) throw; section slices put back together give
 * the message.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage, encodeMeta, decodeMeta, planSection, filterHeaderFields } from './index.ts';
import type { MessageMeta, MimePart } from './index.ts';
import { envelopeValue } from '../imap/fetch/envelope.ts';
import { bodyStructureValue } from '../imap/fetch/bodystructure.ts';
import { renderValue } from '../imap/wire/value-encoder.ts';

/** A generated MIME tree, with what the parser must find. */
type Node =
  | { kind: 'leaf'; type: string; subtype: string; body: string }
  | { kind: 'multipart'; subtype: string; boundary: string; preamble: string; epilogue: string; children: Node[] }
  | { kind: 'message'; subject: string; inner: Node };

/** Body lines that can never be mistaken for a delimiter or a header end. */
const lineArb = fc.stringMatching(/^[A-Za-z0-9 ,.!?=:;]{0,30}$/).map((s) => `x${s}`);
const textArb = fc.array(lineArb, { maxLength: 4 }).map((ls) => ls.map((l) => `${l}\r\n`).join(''));

let boundaryCounter = 0;
const nodeArb: fc.Memo<Node> = fc.memo((n) => {
  const leaf = fc.record({
    kind: fc.constant('leaf' as const),
    type: fc.constantFrom('text', 'application', 'image'),
    subtype: fc.constantFrom('plain', 'html', 'octet-stream', 'png'),
    body: textArb,
  });
  if (n <= 1) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('multipart' as const),
        subtype: fc.constantFrom('mixed', 'alternative', 'related'),
        boundary: fc.constant('').map(() => `=_b${boundaryCounter++}_`),
        preamble: textArb,
        epilogue: textArb,
        children: fc.array(nodeArb(n - 1), { minLength: 1, maxLength: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('message' as const), subject: lineArb, inner: nodeArb(n - 1) }) },
  );
});

function headerOf(node: Node): string {
  if (node.kind === 'leaf') return `Content-Type: ${node.type}/${node.subtype}\r\n`;
  if (node.kind === 'multipart') return `Content-Type: multipart/${node.subtype}; boundary="${node.boundary}"\r\n`;
  return 'Content-Type: message/rfc822\r\n';
}

function bodyOf(node: Node): string {
  if (node.kind === 'leaf') return node.body;
  if (node.kind === 'message') return `Subject: ${node.subject}\r\n${headerOf(node.inner)}\r\n${bodyOf(node.inner)}`;
  // RFC 2046 section 5.1.1: the CRLF before each delimiter belongs to the delimiter.
  let s = node.preamble;
  for (const c of node.children) s += `\r\n--${node.boundary}\r\n${headerOf(c)}\r\n${bodyOf(c)}`;
  return `${s}\r\n--${node.boundary}--\r\n${node.epilogue}`;
}

function serialize(node: Node): Buffer {
  return Buffer.from(`From: a@example.com\r\nSubject: t\r\n${headerOf(node)}\r\n${bodyOf(node)}`, 'latin1');
}

/** Compare a parsed part with the generated node, and rebuild its bytes from section slices. */
function check(raw: Buffer, p: MimePart, node: Node): void {
  const slice = (s: number, e: number): string => raw.toString('latin1', s, e);
  assert.equal(p.headerEnd, p.bodyStart);
  if (node.kind === 'leaf') {
    assert.equal(p.kind, 'leaf');
    assert.equal(`${p.type}/${p.subtype}`, `${node.type}/${node.subtype}`);
    // The last line's CRLF belongs to a following delimiter, if any.
    assert.ok(node.body.startsWith(slice(p.bodyStart, p.bodyEnd)));
  } else if (node.kind === 'message') {
    assert.equal(p.kind, 'message');
    assert.equal(p.message?.envelope.subject, node.subject);
    check(raw, p.message.body, node.inner);
  } else {
    assert.equal(p.kind, 'multipart');
    assert.equal(p.children.length, node.children.length);
    // Put the body back together from MIME + body slices of the children and the delimiters.
    let rebuilt = slice(p.bodyStart, p.children[0].headerStart);
    p.children.forEach((c, i) => {
      check(raw, c, node.children[i]);
      rebuilt += slice(c.headerStart, c.headerEnd) + slice(c.bodyStart, c.bodyEnd);
      const next = i + 1 < p.children.length ? p.children[i + 1].headerStart : p.bodyEnd;
      rebuilt += slice(c.bodyEnd, next);
    });
    assert.equal(rebuilt, slice(p.bodyStart, p.bodyEnd));
    assert.ok(slice(p.bodyStart, p.bodyEnd).startsWith(node.preamble));
  }
}

function renderAll(meta: MessageMeta): void {
  renderValue(envelopeValue(meta));
  renderValue(bodyStructureValue(meta, true));
  renderValue(bodyStructureValue(meta, false));
}

describe('message properties', () => {
  test('generated MIME trees serialize, parse and compare equal', () => {
    fc.assert(
      fc.property(nodeArb(4), (node) => {
        const raw = serialize(node);
        const meta = parseMessage(raw);
        assert.equal(meta.size, raw.length);
        check(raw, meta.root, node);
        assert.deepEqual(decodeMeta(encodeMeta(meta)), meta);
      }),
      { numRuns: 300 },
    );
  });

  test('section slices put back together give the message', () => {
    fc.assert(
      fc.property(nodeArb(4), (node) => {
        const raw = serialize(node);
        const meta = parseMessage(raw);
        const header = planSection(meta, { part: [], specifier: 'HEADER' });
        const text = planSection(meta, { part: [], specifier: 'TEXT' });
        assert.ok(header.kind === 'range' && text.kind === 'range');
        assert.equal(Buffer.concat([raw.subarray(header.start, header.end), raw.subarray(text.start, text.end)]).toString('latin1'), raw.toString('latin1'));
        // Every part: MIME header then body are adjacent and inside the message.
        const walk = (p: MimePart, path: number[]): void => {
          if (path.length > 0) {
            const mime = planSection(meta, { part: path, specifier: 'MIME' });
            const body = planSection(meta, { part: path, specifier: null });
            assert.ok(mime.kind === 'range' && body.kind === 'range');
            assert.equal(mime.end, body.start);
          }
          const container = path.length > 0 && p.kind === 'message' && p.message !== null ? p.message.body : p;
          if (container.kind === 'multipart') container.children.forEach((c, i) => walk(c, [...path, i + 1]));
        };
        walk(meta.root, []);
        const all = filterHeaderFields(raw.subarray(header.start, header.end), [], true);
        assert.equal(all.toString('latin1'), raw.toString('latin1', header.start, header.end));
      }),
      { numRuns: 200 },
    );
  });

  test('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const meta = parseMessage(Buffer.from(bytes));
        assert.deepEqual(decodeMeta(encodeMeta(meta)), meta);
        renderAll(meta);
      }),
      { numRuns: 500 },
    );
  });

  test('random MIME-ish token soup never throws and stays in bounds', () => {
    const token = fc.constantFrom(
      '--b\r\n', '--b--\r\n', '--c\n', 'Content-Type: multipart/mixed; boundary=b\r\n', 'Content-Type: multipart/digest; boundary="c"\n',
      'Content-Type: message/rfc822\r\n', '\r\n', '\n', 'Subject: =?utf-8?q?x?=\r\n', 'From: "a, b" <c@d>, e:f@g;\r\n',
      'Content-Disposition: attachment; filename*0*=utf-8\'\'%41; filename*1=b\r\n', ' folded\r\n', 'x\xff\x00y\r\n', '--b', ':',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const raw = Buffer.from(tokens.join(''), 'latin1');
        const meta = parseMessage(raw);
        const inBounds = (p: MimePart): void => {
          assert.ok(p.headerStart <= p.headerEnd && p.bodyStart <= p.bodyEnd && p.bodyEnd <= raw.length);
          p.children.forEach(inBounds);
          if (p.message !== null) inBounds(p.message.body);
        };
        inBounds(meta.root);
        assert.deepEqual(decodeMeta(encodeMeta(meta)), meta);
        renderAll(meta);
      }),
      { numRuns: 500 },
    );
  });

  test('decodeMeta rejects corrupted records with a clear error, never hangs', () => {
    const good = encodeMeta(parseMessage(serialize({ kind: 'leaf', type: 'text', subtype: 'plain', body: 'x\r\n' })));
    fc.assert(
      fc.property(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = Buffer.from(good);
        bad[i] ^= x;
        try {
          decodeMeta(bad);
        } catch (err) {
          assert.match((err as Error).message, /corrupt MessageMeta/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
