/** What a store hands the search evaluator for one message. */
import type { MessageMeta } from '../message/types.ts';
import type { SearchQuery } from './types.ts';

/** One message as the evaluator sees it. `meta` and `body` are loaded only when the compiled query needs them. */
export interface SearchCandidate {
  readonly uid: number;
  readonly flags: readonly string[];
  readonly internalDate: Date;
  readonly saveDate: Date;
  readonly size: number;
  readonly modseq: number;
  readonly emailId: string;
  readonly threadId: string;
  readonly meta?: MessageMeta;
  /** The raw message, present when `needsBody`. */
  readonly body?: Buffer;
}

/** A query prepared once and matched against many messages. */
export interface CompiledSearch {
  readonly query: SearchQuery;
  /** The query looks at headers/envelope: the store must load `meta`. */
  readonly needsMeta: boolean;
  /** The query looks at body text: the store must load `body`. */
  readonly needsBody: boolean;
  match(candidate: SearchCandidate): boolean;
}
