/** Running synchronous store code behind the async contract. */

/**
 * Run a synchronous step as a promise: a throw becomes a rejection, never a synchronous exception, so
 * callers of the async contract (store/types.ts) never have to catch twice.
 */
export function settle<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
