/**
 * Daemon configuration: `mailroom.toml`, then `MAILROOM_*` environment variables, then command-line flags,
 * merged in that order and validated by one zod schema. Every key is documented in docs/configuration.md;
 * an invalid or unknown key stops start-up with a message naming the key, where it came from, and what is
 * allowed (exit 78, EX_CONFIG).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { AddressError, parseListenAddress, type ListenAddress } from './address.ts';

/** The daemon's listeners, in start order. */
export const LISTENERS = ['imap', 'imaps', 'pop3', 'pop3s', 'lmtp', 'metrics'] as const;
/** Name of one listener. */
export type ListenerName = (typeof LISTENERS)[number];

/**
 * Default listener addresses (DESIGN.md section 6). DESIGN writes the TLS and POP3 ones as `:PORT`; they
 * bind 127.0.0.1 here too, so that a first `npm start` never exposes a demo account to the network.
 */
export const DEFAULT_LISTEN: Readonly<Record<ListenerName, string>> = {
  imap: '127.0.0.1:1143',
  imaps: '127.0.0.1:1993',
  pop3: '127.0.0.1:1110',
  pop3s: '127.0.0.1:1995',
  lmtp: '127.0.0.1:2424',
  metrics: '127.0.0.1:9464',
};

/** Default size cap of one message: 50 MiB, a common MTA limit (Postfix's message_size_limit is 10 MiB). */
export const DEFAULT_MAX_MESSAGE_SIZE = 50 * 1024 * 1024;
/** Upper bound on max_message_size: 1 GiB; beyond that a single APPEND is a denial of service. */
export const MAX_MAX_MESSAGE_SIZE = 1024 * 1024 * 1024;
/** RFC 3501 section 5.4: the autologout timer is at least 30 minutes. */
export const MIN_AUTO_LOGOUT_SECONDS = 30 * 60;
/** Default config file looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'mailroom.toml';

/** Value of a listen key that turns the listener off. */
const OFF = 'off';

/** Values of log.level (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Values of log.format. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
/** Values of tls.min_version. */
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

/** Kind of a key's value, for coercing environment strings and flags. */
type KeyKind = 'string' | 'boolean' | 'integer' | 'listen';

/** Every config key: dotted TOML path, kind. The env var is MAILROOM_ + path with "." -> "_", upper case. */
export const CONFIG_KEYS: ReadonlyArray<{ readonly key: string; readonly kind: KeyKind }> = [
  { key: 'data_dir', kind: 'string' },
  { key: 'store', kind: 'string' },
  { key: 'hostname', kind: 'string' },
  { key: 'demo', kind: 'boolean' },
  { key: 'static_password', kind: 'string' },
  { key: 'allow_insecure_auth', kind: 'boolean' },
  ...LISTENERS.map((name) => ({ key: `listen.${name}`, kind: 'listen' as const })),
  { key: 'tls.cert', kind: 'string' },
  { key: 'tls.key', kind: 'string' },
  { key: 'tls.min_version', kind: 'string' },
  { key: 'log.level', kind: 'string' },
  { key: 'log.format', kind: 'string' },
  { key: 'limits.max_message_size', kind: 'integer' },
  { key: 'limits.auto_logout', kind: 'integer' },
];

/** Environment variable for a config key. */
export function envName(key: string): string {
  return `MAILROOM_${key.replace(/\./g, '_').toUpperCase()}`;
}

/** Environment variable naming the config file (like --config). */
export const CONFIG_ENV = 'MAILROOM_CONFIG';

const listenValue = z.union([z.literal(false), z.string()]).superRefine((value, ctx) => {
  if (value === false || value === OFF) return;
  try {
    parseListenAddress(value);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `${err instanceof AddressError ? err.message : String(err)}; allowed: HOST:PORT, [IPV6]:PORT, :PORT, or "off"`,
    });
  }
});

const storeValue = z.string().refine((s) => s === 'sqlite' || s === 'memory' || /^postgres(ql)?:\/\/./.test(s), {
  message: 'allowed: "sqlite", "memory" or a postgres://... URL',
});

const nonEmpty = (what: string) => z.string().min(1, { message: `must be a non-empty ${what}` });
const flag = () => z.boolean({ message: 'must be true or false' });
/** One of `values`; the error lists them. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { message: `allowed: ${values.join(', ')}` });

/** The schema of mailroom.toml (after env and flags are merged in). Unknown keys are errors. */
export const configSchema = z.strictObject({
  data_dir: nonEmpty('directory path').default('./data'),
  store: storeValue.default('sqlite'),
  hostname: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, { message: 'must be a host name (letters, digits, "." and "-")' })
    .optional(),
  demo: flag().default(true),
  static_password: nonEmpty('password').optional(),
  allow_insecure_auth: flag().default(false),
  listen: z
    .strictObject(Object.fromEntries(LISTENERS.map((name) => [name, listenValue.optional()])) as Record<
      ListenerName,
      z.ZodOptional<typeof listenValue>
    >)
    .default({}),
  tls: z
    .strictObject({
      cert: nonEmpty('file path').optional(),
      key: nonEmpty('file path').optional(),
      min_version: z.enum(TLS_VERSIONS, { message: 'allowed: "TLSv1.2" or "TLSv1.3"' }).default('TLSv1.2'),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), {
      message: 'tls.cert and tls.key must be given together',
    })
    .default({ min_version: 'TLSv1.2' }),
  log: z
    .strictObject({
      level: oneOf(LOG_LEVELS).default('info'),
      format: oneOf(LOG_FORMATS).default('auto'),
    })
    .default({ level: 'info', format: 'auto' }),
  limits: z
    .strictObject({
      max_message_size: z
        .number({ message: `must be an integer between 1024 and ${MAX_MAX_MESSAGE_SIZE}` })
        .int({ message: 'must be an integer' })
        .min(1024, { message: 'must be at least 1024 (bytes)' })
        .max(MAX_MAX_MESSAGE_SIZE, { message: `must be at most ${MAX_MAX_MESSAGE_SIZE} (1 GiB)` })
        .default(DEFAULT_MAX_MESSAGE_SIZE),
      auto_logout: z
        .number({ message: `must be an integer number of seconds >= ${MIN_AUTO_LOGOUT_SECONDS}` })
        .int({ message: 'must be an integer' })
        .min(MIN_AUTO_LOGOUT_SECONDS, { message: `must be at least ${MIN_AUTO_LOGOUT_SECONDS} seconds (RFC 3501 section 5.4)` })
        .default(MIN_AUTO_LOGOUT_SECONDS),
    })
    .default({ max_message_size: DEFAULT_MAX_MESSAGE_SIZE, auto_logout: MIN_AUTO_LOGOUT_SECONDS }),
});

/** Which store to open. */
export type StoreChoice = { readonly kind: 'sqlite' } | { readonly kind: 'memory' } | { readonly kind: 'postgres'; readonly url: string };

/** The validated, resolved configuration the daemon runs with. */
export interface DaemonConfig {
  /** Absolute path of the data directory (database, generated certificate). */
  readonly dataDir: string;
  readonly store: StoreChoice;
  /** Host name used in greetings and in the self-signed certificate. */
  readonly hostname: string;
  /** Create the `demo` account on first run. */
  readonly demo: boolean;
  /** Load-test login (Dovecot's static passdb): any user logs in with this password. */
  readonly staticPassword: string | null;
  /** Allow plaintext authentication without TLS on non-loopback connections. */
  readonly allowInsecureAuth: boolean;
  /** Listeners to start; a missing entry is off. */
  readonly listeners: Readonly<Partial<Record<ListenerName, ListenAddress>>>;
  /** Certificate and key files; null means the generated self-signed pair in the data directory. */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly tlsMinVersion: (typeof TLS_VERSIONS)[number];
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly logFormat: (typeof LOG_FORMATS)[number];
  readonly maxMessageSize: number;
  readonly autoLogoutSeconds: number;
  /** The config file that was read, if any. */
  readonly configFile: string | null;
}

/** An invalid configuration; `message` names the key, its source and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Values given on the command line, already mapped to config keys (e.g. `listen.imap`). */
export interface ConfigOverrides {
  /** --config FILE */
  readonly configFile?: string;
  /** Key -> value, with the flag that set it for error messages. */
  readonly values: ReadonlyArray<{ readonly key: string; readonly value: unknown; readonly flag: string }>;
}

type Raw = Record<string, unknown>;

function setPath(target: Raw, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Raw;
  }
  node[parts[parts.length - 1]] = value;
}

function coerceEnv(kind: KeyKind, text: string): unknown {
  switch (kind) {
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return text; // left as a string so the schema reports "must be true or false"
    }
    case 'integer':
      return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
    case 'listen':
      return ['off', 'false', 'no', '0'].includes(text.trim().toLowerCase()) ? false : text;
    default:
      return text;
  }
}

/** Read the TOML file, env and overrides; validate; resolve paths. Throws ConfigError. */
export function loadConfig(
  overrides: ConfigOverrides,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): DaemonConfig {
  const sources = new Map<string, string>();
  let raw: Raw = {};

  const explicitFile = overrides.configFile ?? env[CONFIG_ENV];
  const file = explicitFile !== undefined && explicitFile !== '' ? resolve(cwd, explicitFile) : resolve(cwd, DEFAULT_CONFIG_FILE);
  let configFile: string | null = null;
  if (existsSync(file)) {
    configFile = file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = parseToml(text);
    } catch (err) {
      if (err instanceof TomlError) throw new ConfigError(`${file}:${err.line}:${err.column}: invalid TOML: ${err.message.split('\n')[0]}`);
      throw err;
    }
  } else if (explicitFile !== undefined && explicitFile !== '') {
    throw new ConfigError(`config file ${file} does not exist`);
  }
  const fileLabel = configFile ?? DEFAULT_CONFIG_FILE;

  // Environment: every MAILROOM_* variable must be a known key (a typo is an error, not a silent default).
  const byEnv = new Map(CONFIG_KEYS.map((k) => [envName(k.key), k]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('MAILROOM_') || name === CONFIG_ENV || value === undefined) continue;
    const known = byEnv.get(name);
    if (!known) {
      throw new ConfigError(`unknown environment variable ${name}; allowed: ${[...byEnv.keys(), CONFIG_ENV].join(', ')}`);
    }
    setPath(raw, known.key, coerceEnv(known.kind, value));
    sources.set(known.key, `environment variable ${name}`);
  }

  for (const { key, value, flag } of overrides.values) {
    setPath(raw, key, value);
    sources.set(key, flag);
  }

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      let key = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const prefix = key === '' ? '' : `${key}.`;
        return `unknown config key ${issue.keys.map((k) => `"${prefix}${k}"`).join(', ')} in ${fileLabel}; see docs/configuration.md for the keys`;
      }
      if (key === 'tls' && issue.code === 'custom') key = 'tls.cert';
      const source = sources.get(key) ?? fileLabel;
      return `invalid config key "${key}" (from ${source}): ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const c = parsed.data;

  const listeners: Partial<Record<ListenerName, ListenAddress>> = {};
  for (const name of LISTENERS) {
    const value = c.listen[name] ?? DEFAULT_LISTEN[name];
    if (value === false || value === OFF) continue;
    listeners[name] = parseListenAddress(value);
  }

  let store: StoreChoice;
  if (c.store === 'sqlite') store = { kind: 'sqlite' };
  else if (c.store === 'memory') store = { kind: 'memory' };
  else store = { kind: 'postgres', url: c.store };

  return {
    dataDir: resolve(cwd, c.data_dir),
    store,
    hostname: c.hostname ?? osHostname(),
    demo: c.demo,
    staticPassword: c.static_password ?? null,
    allowInsecureAuth: c.allow_insecure_auth,
    listeners,
    tls: c.tls.cert !== undefined && c.tls.key !== undefined ? { cert: resolve(cwd, c.tls.cert), key: resolve(cwd, c.tls.key) } : null,
    tlsMinVersion: c.tls.min_version,
    logLevel: c.log.level,
    logFormat: c.log.format,
    maxMessageSize: c.limits.max_message_size,
    autoLogoutSeconds: c.limits.auto_logout,
    configFile,
  };
}
