/** Protocol-neutral search: the query AST, its compiler and charset helpers for the IMAP SEARCH parser. */
export type { SearchKey, SearchQuery, UidRange } from './types.ts';
export type { SearchCandidate, CompiledSearch } from './evaluate-types.ts';
export { compileSearch } from './evaluate.ts';
export type { CompileOptions } from './evaluate.ts';
export { decodeSearchCharset } from '../message/decode.ts';
