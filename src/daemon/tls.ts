/**
 * TLS material for the daemon: the configured certificate and key, or a self-signed pair generated on first
 * start into the data directory and reused afterwards. SIGHUP calls reload(): new handshakes use the new
 * certificate while established sessions keep theirs (nothing is dropped).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions, type SecureVersion, type TlsOptions } from 'node:tls';
import { generate } from 'selfsigned';

/** Lifetime of a generated certificate: 825 days, the longest most clients accept for a leaf. */
export const SELF_SIGNED_DAYS = 825;
/** Where generated files go, relative to the data directory. */
export const GENERATED_CERT = 'tls/cert.pem';
/** Generated private key, relative to the data directory (mode 0600). */
export const GENERATED_KEY = 'tls/key.pem';

/** Where the certificate comes from. */
export type CertificateSource =
  | { readonly kind: 'files'; readonly cert: string; readonly key: string }
  | { readonly kind: 'self-signed'; readonly dataDir: string; readonly hostname: string };

/** A failure to load or generate TLS material (exit 78 at start-up; logged and ignored on reload). */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

interface Pem {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Generate (or reuse) the self-signed pair for `hostname` in `dataDir`; returns the file paths. */
export async function ensureSelfSigned(dataDir: string, hostname: string): Promise<{ cert: string; key: string; generated: boolean }> {
  const cert = join(dataDir, GENERATED_CERT);
  const key = join(dataDir, GENERATED_KEY);
  if (existsSync(cert) && existsSync(key)) return { cert, key, generated: false };
  mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  const names = [...new Set(['localhost', hostname.toLowerCase()])];
  const notAfter = new Date(Date.now() + SELF_SIGNED_DAYS * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      // A self-signed leaf is its own trust anchor: clients told to trust it (curl --cacert, Node's `ca`)
      // need it to be allowed to sign certificates, or OpenSSL rejects it as DEPTH_ZERO_SELF_SIGNED_CERT.
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: '127.0.0.1' }, { type: 7 as const, ip: '::1' }],
      },
    ],
  });
  // Write to temporary names then rename, so that a crash never leaves a key without its certificate.
  writeFileSync(`${key}.tmp`, pems.private, { mode: 0o600 });
  chmodSync(`${key}.tmp`, 0o600);
  writeFileSync(`${cert}.tmp`, pems.cert, { mode: 0o644 });
  renameSync(`${key}.tmp`, key);
  renameSync(`${cert}.tmp`, cert);
  return { cert, key, generated: true };
}

/**
 * Holds the current certificate. `serverOptions()` gives options for tls.createServer / TLSSocket whose
 * `secureContext` is a getter, so code that reads the options at each handshake (STARTTLS/STLS upgrades)
 * picks up a reloaded certificate; implicit-TLS servers registered with `track()` get setSecureContext().
 */
export class TlsManager {
  #context: SecureContext;
  #pem: Pem;
  readonly #servers = new Set<{ setSecureContext(options: TlsOptions): void }>();
  readonly #reloadListeners: Array<(context: SecureContext) => void> = [];

  private constructor(
    readonly files: { readonly cert: string; readonly key: string },
    readonly minVersion: SecureVersion,
    pem: Pem,
  ) {
    this.#pem = pem;
    this.#context = TlsManager.#build(pem, minVersion);
  }

  /** Load the files (throws TlsConfigError with the file name when unreadable or mismatched). */
  static load(files: { cert: string; key: string }, minVersion: SecureVersion): TlsManager {
    return new TlsManager(files, minVersion, TlsManager.#read(files, minVersion));
  }

  static #read(files: { cert: string; key: string }, minVersion: SecureVersion): Pem {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(files.cert);
    } catch (err) {
      throw new TlsConfigError(`cannot read TLS certificate ${files.cert}: ${(err as Error).message}`);
    }
    try {
      key = readFileSync(files.key);
    } catch (err) {
      throw new TlsConfigError(`cannot read TLS key ${files.key}: ${(err as Error).message}`);
    }
    TlsManager.#build({ cert, key }, minVersion); // validates: a bad PEM or a key that does not match throws
    return { cert, key };
  }

  static #build(pem: Pem, minVersion: SecureVersion): SecureContext {
    try {
      return createSecureContext({ cert: pem.cert, key: pem.key, minVersion });
    } catch (err) {
      throw new TlsConfigError(`invalid TLS certificate or key: ${(err as Error).message}`);
    }
  }

  /** The current secure context. */
  get context(): SecureContext {
    return this.#context;
  }

  /** Options for tls.createServer and `new TLSSocket(socket, {isServer: true, ...})`. */
  serverOptions(): TlsOptions {
    const options: TlsOptions = { minVersion: this.minVersion };
    Object.defineProperties(options, {
      cert: { enumerable: true, get: () => this.#pem.cert },
      key: { enumerable: true, get: () => this.#pem.key },
      secureContext: { enumerable: true, get: () => this.#context },
    });
    // Clients that send SNI get the current context even from a server built with the old options.
    options.SNICallback = (_servername, cb) => cb(null, this.#context);
    return options;
  }

  /**
   * The current certificate, key and minimum version as plain options (a snapshot): for libraries that build
   * their own context, such as Pop3Server's constructor and its setSecureContext() on reload.
   */
  secureContextOptions(): SecureContextOptions {
    return { cert: this.#pem.cert, key: this.#pem.key, minVersion: this.minVersion };
  }

  /** Register an implicit-TLS server so that reload() swaps its context. */
  track(server: { setSecureContext(options: TlsOptions): void }): void {
    this.#servers.add(server);
  }

  /**
   * Call `listener` with the new context after each successful reload (STARTTLS/STLS code that caches one;
   * `secureContextOptions()` gives the same material as options).
   */
  onReload(listener: (context: SecureContext) => void): void {
    this.#reloadListeners.push(listener);
  }

  /** Re-read the files; on success new handshakes use them. Throws TlsConfigError and keeps the old pair. */
  reload(): void {
    const pem = TlsManager.#read(this.files, this.minVersion);
    this.#pem = pem;
    this.#context = TlsManager.#build(pem, this.minVersion);
    for (const server of this.#servers) server.setSecureContext(this.secureContextOptions());
    for (const listener of this.#reloadListeners) listener(this.#context);
  }
}

/** Resolve the certificate source to files (generating the self-signed pair if needed) and load it. */
export async function openTls(
  source: CertificateSource,
  minVersion: SecureVersion,
): Promise<{ manager: TlsManager; generated: boolean }> {
  if (source.kind === 'files') return { manager: TlsManager.load(source, minVersion), generated: false };
  const files = await ensureSelfSigned(source.dataDir, source.hostname);
  return { manager: TlsManager.load(files, minVersion), generated: files.generated };
}
