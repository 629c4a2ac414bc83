/**
 * The default extension set ImapServer enables (override with the `extensions` option). Each extension is
 * one file here: the capabilities it adds and when, its commands, upgraders, SASL mechanisms and
 * ENABLE-able names. An extension that needs an optional store interface checks it in `validate`, so a
 * server over a backend lacking it fails at start-up, not at a client.
 *
 * Engineers B and C add their own import and entry lines below (one line each, nothing else).
 */
import type { ImapExtension, ImapServerOptions } from '../server.ts';
import { authLoginExtension } from './auth-login.ts';
import { compressExtension } from './compress.ts';
import { enableExtension } from './enable.ts';
import { idExtension } from './id.ts';
import { idleExtension } from './idle.ts';
import { imap4rev2Extension } from './imap4rev2.ts';
import { literalExtension } from './literal.ts';
import { namespaceExtension } from './namespace.ts';
import { saslIrExtension } from './sasl-ir.ts';
import { scramExtension, supportsScram } from './scram.ts';
import { unauthenticateExtension } from './unauthenticate.ts';
import { unselectExtension } from './unselect.ts';
import { binaryExtension } from './binary.ts';
import { esearchExtension } from './esearch.ts';
import { backendSupportsMove, moveExtension } from './move.ts';
import { savedateExtension } from './savedate.ts';
import { searchresExtension } from './searchres.ts';
import { uidplusExtension } from './uidplus.ts';
import { withinExtension } from './within.ts';
import { appendLimitExtension, appendLimitFor } from './appendlimit.ts';
import { childrenExtension } from './children.ts';
import { listExtendedExtension } from './list-extended.ts';
import { listStatusExtension } from './list-status.ts';
import { multiappendExtension } from './multiappend.ts';
import { objectidExtension } from './objectid.ts';
import { createSpecialUseExtension, specialUseExtension } from './special-use.ts';
import { statusSizeExtension } from './status-size.ts';

/** Options the default extensions read (the server's own options). */
export type ExtensionOptions = ImapServerOptions;

/** The extensions a new ImapServer enables unless told otherwise, in advertisement order. */
export function defaultExtensions(options: ExtensionOptions): ImapExtension[] {
  return [
    // Engineer A: session-level extensions.
    saslIrExtension,
    literalExtension(options.literalPlus ?? 'LITERAL+'),
    idExtension(options.id === undefined ? DEFAULT_ID : options.id),
    enableExtension,
    idleExtension,
    namespaceExtension,
    unselectExtension,
    unauthenticateExtension,
    compressExtension,
    authLoginExtension,
    ...(supportsScram(options.backend) ? [scramExtension] : []),
    // Engineer B: mailbox-level extensions.
    childrenExtension,
    listExtendedExtension,
    listStatusExtension,
    specialUseExtension,
    createSpecialUseExtension,
    statusSizeExtension,
    multiappendExtension,
    appendLimitExtension(appendLimitFor(options.maxLiteralSize)),
    // Engineer C: message-level extensions.
    uidplusExtension,
    esearchExtension,
    searchresExtension,
    withinExtension,
    savedateExtension,
    binaryExtension,
    // OBJECTID (RFC 8474): MAILBOXID (CREATE, SELECT, STATUS) and EMAILID/THREADID (FETCH, SEARCH).
    objectidExtension,
    ...(backendSupportsMove(options.backend) ? [moveExtension] : []),
    // IMAP4rev2 (engineer A): every appendix E item of the three engineers exists and is tested; RFC 9051
    // folds MOVE into the base protocol, so it is advertised only over a store with atomic MOVE.
    ...(backendSupportsMove(options.backend) ? [imap4rev2Extension] : []),
  ];
}

/** The server's ID answer when the `id` option is not given (RFC 2971 section 3.3 field names). */
export const DEFAULT_ID: Readonly<Record<string, string>> = { name: 'Mailroom' };

/** Every built-in extension, for embedders who compose their own `extensions` list. */
export {
  appendLimitExtension,
  appendLimitFor,
  authLoginExtension,
  backendSupportsMove,
  binaryExtension,
  childrenExtension,
  compressExtension,
  createSpecialUseExtension,
  enableExtension,
  esearchExtension,
  idExtension,
  idleExtension,
  imap4rev2Extension,
  listExtendedExtension,
  listStatusExtension,
  literalExtension,
  moveExtension,
  multiappendExtension,
  namespaceExtension,
  objectidExtension,
  saslIrExtension,
  savedateExtension,
  scramExtension,
  searchresExtension,
  specialUseExtension,
  statusSizeExtension,
  supportsScram,
  uidplusExtension,
  unauthenticateExtension,
  unselectExtension,
  withinExtension,
};
