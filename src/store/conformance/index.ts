/**
 * runStoreConformance: the store contract (store/types.ts) as node:test cases. Every store runs it
 * (DESIGN.md section 3); a third-party store proves itself the same way:
 *
 *   runStoreConformance({ name: 'mine', create: async () => ({ backend, username, password, close }) });
 *
 * Each test gets a fresh store from `create`. The suite never sleeps: the contract makes same-process change
 * records synchronous with the mutation, so they are asserted right after the awaited call.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFORMANCE_CONNECTION, Env, type Register, type StoreConformanceOptions } from './harness.ts';
import { adminCases, loginCases } from './cases/accounts.ts';
import { mailboxCases, statusCases, subscriptionCases } from './cases/mailboxes.ts';
import { appendCases, fetchCases, modseqCases } from './cases/messages.ts';
import { feedCases } from './cases/feed.ts';
import { copyCases, expungeCases, flagCases } from './cases/mutations.ts';
import { searchCases } from './cases/search.ts';
import { decidedCases } from './cases/decided.ts';

export type { StoreConformanceOptions, StoreFixture } from './harness.ts';

/** The suite's groups, in the order they run. */
const GROUPS: readonly (readonly [title: string, cases: (test: Register) => void])[] = [
  ['login', loginCases],
  ['mailboxes', mailboxCases],
  ['subscriptions', subscriptionCases],
  ['status', statusCases],
  ['append', appendCases],
  ['modseq', modseqCases],
  ['change feed', feedCases],
  ['fetch and body', fetchCases],
  ['search', searchCases],
  ['store flags', flagCases],
  ['copy and move', copyCases],
  ['expunge and remove', expungeCases],
  ['account admin', adminCases],
  ['decided edge cases', decidedCases],
];

/** Register the store conformance suite with node:test. Call it at the top level of a test file. */
export function runStoreConformance(options: StoreConformanceOptions): void {
  const skips = new Map<string, string>();
  for (const group of options.skip ?? []) {
    if (group.reason.trim() === '') throw new Error('runStoreConformance: every skipped test needs a reason');
    for (const name of group.tests) skips.set(name, group.reason);
  }
  const known = new Set<string>();

  void describe(`store conformance: ${options.name}`, () => {
    for (const [title, cases] of GROUPS) {
      void describe(title, () => {
        cases((name, body) => {
          if (known.has(name)) throw new Error(`duplicate conformance test name: ${name}`);
          known.add(name);
          const reason = skips.get(name);
          void test(name, reason === undefined ? {} : { skip: reason }, async (t) => {
            const fixture = await options.create();
            let env: Env | undefined;
            try {
              const user = await fixture.backend.login(fixture.username, fixture.password, CONFORMANCE_CONNECTION);
              env = new Env(fixture, user, t);
              await body(env);
            } finally {
              await env?.dispose();
              await env?.user.close();
              await fixture.close();
            }
          });
        });
      });
    }

    void test('the skip list names only tests of this suite', () => {
      assert.deepEqual([...skips.keys()].filter((name) => !known.has(name)), []);
    });
  });
}
