/** The store contract and its errors: what protocol layers and third-party stores build on. */
export * from './types.ts';
export * from './errors.ts';
