/** The conformance suite's plumbing: one fresh store per test, sessions, change recorders, sample mail. */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConnectionInfo, Mailbox, MailboxChange, User } from '../types.ts';
import { isStoreError, type StoreErrorKind } from '../errors.ts';

/** What `create` returns: a fresh, empty store with one account whose INBOX is empty. */
export interface StoreFixture {
  readonly backend: Backend;
  readonly username: string;
  readonly password: string;
  /** Release the store (and delete its files, if any). */
  close(): Promise<void>;
}

/** Options of runStoreConformance. */
export interface StoreConformanceOptions {
  /** Shown in the suite's title. */
  readonly name: string;
  /** Called once per test: every test gets its own store. */
  readonly create: () => Promise<StoreFixture>;
  /** Tests this store does not pass yet, by exact test name, each group with its reason. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

/** Connection info the suite logs in with. */
export const CONFORMANCE_CONNECTION: ConnectionInfo = { protocol: 'cli', secure: true };

/** An opened mailbox with every change record it received, in delivery order. */
export interface Opened {
  readonly mailbox: Mailbox;
  readonly changes: MailboxChange[];
}

/** One test's world: a fresh store, a logged-in user, and helpers that clean up after themselves. */
export class Env {
  readonly #cleanups: (() => Promise<void>)[] = [];

  constructor(
    readonly fixture: StoreFixture,
    readonly user: User,
    readonly t: TestContext,
  ) {}

  get backend(): Backend {
    return this.fixture.backend;
  }

  /** Another session of the same account (a second login). */
  async session(): Promise<User> {
    const user = await this.backend.login(this.fixture.username, this.fixture.password, CONFORMANCE_CONNECTION);
    this.#cleanups.push(() => user.close());
    return user;
  }

  /** Open a mailbox and record its change feed. */
  async open(name: string, options: { readOnly?: boolean; user?: User } = {}): Promise<Opened> {
    const changes: MailboxChange[] = [];
    const mailbox = await (options.user ?? this.user).openMailbox(name, {
      readOnly: options.readOnly ?? false,
      onChange: (c) => changes.push(c),
    });
    this.#cleanups.push(() => mailbox.close());
    return { mailbox, changes };
  }

  /** Append sample messages (or given buffers) and return their UIDs. */
  async append(name: string, ...messages: (Buffer | { content: Buffer; flags?: string[]; internalDate?: Date })[]): Promise<number[]> {
    const result = await this.user.append(
      name,
      messages.map((m) => (Buffer.isBuffer(m) ? { content: m } : m)),
    );
    return [...result.uids];
  }

  /** Run at the end of the test, before the store closes. */
  defer(cleanup: () => Promise<void>): void {
    this.#cleanups.push(cleanup);
  }

  /** Close everything the test opened, newest first. */
  async dispose(): Promise<void> {
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // A mailbox closed twice or already gone: cleanup is best effort, the test result stands.
      }
    }
  }
}

/** Build a small RFC 5322 message with CRLF line endings. */
export function mail(
  fields: {
    subject?: string;
    from?: string;
    to?: string;
    date?: string;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Buffer {
  const lines = [
    `From: ${fields.from ?? 'Alice <alice@example.org>'}`,
    `To: ${fields.to ?? 'Bob <bob@example.net>'}`,
    `Subject: ${fields.subject ?? 'conformance'}`,
    `Date: ${fields.date ?? 'Mon, 07 Feb 1994 21:52:25 -0800'}`,
    'Message-ID: <' + Math.random().toString(36).slice(2) + '@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...Object.entries(fields.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    fields.body ?? 'Hello, world.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** Assert that a promise rejects with a StoreError of the given kind. */
export async function rejectsWith(promise: Promise<unknown>, kind: StoreErrorKind, what: string): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  assert.ok(error !== undefined, `${what}: expected StoreError '${kind}', but it succeeded`);
  assert.ok(
    isStoreError(error, kind),
    `${what}: expected StoreError '${kind}', got ${describeError(error)}`,
  );
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : 'a non-Error value';
  const kind = (error as { kind?: unknown }).kind;
  return `${error.name}${typeof kind === 'string' ? ` '${kind}'` : ''}: ${error.message}`;
}

/** Sorted copy of a flag list, for order-insensitive comparison. */
export function sortedFlags(flags: readonly string[]): string[] {
  return [...flags].sort();
}

/** Collect a readable stream into one Buffer. */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Changes of one type, typed. */
export function ofType<T extends MailboxChange['type']>(changes: readonly MailboxChange[], type: T): Extract<MailboxChange, { type: T }>[] {
  return changes.filter((c): c is Extract<MailboxChange, { type: T }> => c.type === type);
}

/** The registry a case file adds its tests to. */
export type Register = (name: string, body: (env: Env) => Promise<void>) => void;
