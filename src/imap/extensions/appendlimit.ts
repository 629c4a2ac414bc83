/**
 * APPENDLIMIT (RFC 7889): the largest message APPEND accepts, advertised as `APPENDLIMIT=n` and returned
 * by STATUS (APPENDLIMIT). The session refuses a larger literal before the `+` with NO [TOOBIG] (its
 * maxLiteralSize); commands/append.ts checks the advertised limit again, so a limit below maxLiteralSize
 * is enforced too. Advertised before login as well: a client may check it before authenticating
 * (RFC 7889 section 3 puts no state restriction on the capability).
 */
import { DEFAULT_MAX_LITERAL_SIZE, type ImapExtension } from '../server.ts';

/**
 * The limit for a server: its maxLiteralSize (default DEFAULT_MAX_LITERAL_SIZE), lowered to `storeLimit`
 * (the store's largest message) when given, since advertising more than either accepts would mislead.
 */
export function appendLimitFor(maxLiteralSize: number | undefined, storeLimit?: number): number {
  const limit = maxLiteralSize ?? DEFAULT_MAX_LITERAL_SIZE;
  return storeLimit !== undefined ? Math.min(limit, storeLimit) : limit;
}

/** The APPENDLIMIT extension advertising `limit` octets. */
export function appendLimitExtension(limit: number): ImapExtension {
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`APPENDLIMIT must be a positive integer, got ${limit}`);
  return {
    name: 'APPENDLIMIT',
    capabilities: () => [`APPENDLIMIT=${limit}`],
  };
}
