/** Pure IMAP protocol vocabulary: values, response codes, capabilities, errors. */
export * from './values.ts';
export * from './response-codes.ts';
export * from './capabilities.ts';
export * from './errors.ts';
