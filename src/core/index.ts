/** Protocol-neutral vocabulary shared by every layer. */
export * from './flags.ts';
export * from './mailbox-name.ts';
