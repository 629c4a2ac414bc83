/**
 * What a session needs from its server: the command table, policies and limits. The server builds one
 * SessionConfig and shares it with every connection.
 */
import type { Writable, Duplex } from 'node:stream';
import type { SaslCredentialLookup, SaslMechanismFactory } from '../../auth/types.ts';
import type { Backend } from '../../store/types.ts';
import type { CommandSpec } from '../commands/types.ts';

/** A pino-compatible logger (fields first, message second). */
export interface ImapLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Facts about a connection given to extensions and upgraders. */
export interface ConnectionView {
  readonly id: string;
  readonly secure: boolean;
  readonly state: string;
  readonly loopback: boolean;
  /** Whether COMPRESS=DEFLATE is active (absent: no). */
  readonly compressed?: boolean;
}

/**
 * Replaces the connection's stream after a command's tagged OK (go-imap's Upgrader): STARTTLS wraps it in
 * TLS, COMPRESS=DEFLATE in zlib streams. Called synchronously right after the OK is handed to the old
 * stream, so no byte the client sends after the OK can be read by the old layer.
 */
export interface ConnectionUpgrader {
  upgrade(stream: Duplex, connection: ConnectionView): Duplex;
  /** Whether the connection counts as encrypted afterwards (STARTTLS). */
  readonly secure?: boolean;
}

/** Shared, immutable-while-serving configuration of sessions. */
export interface SessionConfig {
  readonly backend: Backend;
  readonly commands: ReadonlyMap<string, CommandSpec>;
  readonly mechanisms: ReadonlyMap<string, SaslMechanismFactory>;
  /** Credentials for mechanisms that verify the user themselves (SCRAM), when the backend has them. */
  readonly credentialLookup?: SaslCredentialLookup;
  readonly upgraders: ReadonlyMap<string, ConnectionUpgrader>;
  /** Capabilities added by extensions for a connection. */
  extensionCapabilities(connection: ConnectionView): string[];
  /** Names ENABLE may turn on (upper-case). */
  readonly enableable: ReadonlySet<string>;
  readonly starttls: boolean;
  readonly allowInsecureAuth: boolean;
  readonly loopbackIsSecure: boolean;
  /** Idle limit once authenticated, ms; 0 = never. */
  readonly autoLogout: number;
  /** Idle limit before authentication, ms. */
  readonly preAuthTimeout: number;
  readonly maxLiteralSize: number;
  readonly authFailureDelay: number;
  readonly greeting: string;
  /** RFC 7888 LITERAL-: non-synchronizing literals above LITERAL_MINUS_MAX are refused. */
  readonly literalMinus: boolean;
  readonly debug?: Writable;
  readonly logger: ImapLogger;
}
