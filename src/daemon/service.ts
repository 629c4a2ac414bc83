/**
 * What `serve` hands to each protocol service, and what a running service gives back.
 */
import type { ListenAddress } from './address.ts';
import type { DaemonConfig, ListenerName } from './config.ts';
import type { DaemonLogger } from './logger.ts';
import type { DaemonMetrics } from './metrics.ts';
import type { DaemonBackend } from './store.ts';
import type { TlsManager } from './tls.ts';

/** Shared daemon state for protocol services. */
export interface ServiceContext {
  readonly config: DaemonConfig;
  /** The store, already wrapped (metrics, static password). */
  readonly backend: DaemonBackend;
  readonly logger: DaemonLogger;
  readonly metrics: DaemonMetrics;
  readonly tls: TlsManager;
}

/** A started protocol service (possibly several listeners, e.g. imap + imaps). */
export interface RunningService {
  /** Bound addresses by listener, in start order (port 0 resolved). */
  readonly bound: ReadonlyArray<{ readonly name: ListenerName; readonly address: ListenAddress }>;
  /** Stop accepting new connections (first step of shutdown). */
  stopAccepting(): void;
  /** End every session gracefully (IMAP BYE, POP3 sign-off, LMTP 421), then release the listeners. */
  close(): Promise<void>;
  /** Destroy whatever is still open (shutdown deadline reached). */
  destroy(): void;
}
