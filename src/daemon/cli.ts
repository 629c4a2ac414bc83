/**
 * Command-line parsing and help texts for bin/mailroom (DESIGN.md section 6). The CLI is a promise: flags,
 * defaults and exit codes here match README.md and docs/configuration.md.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LISTENERS, type ConfigOverrides } from './config.ts';
import { CliError, ExitCode } from './exit-codes.ts';

/** Exit codes, as shown in the help. */
export const EXIT_CODES_HELP = `Exit codes (sysexits):
  0   success
  64  usage error (EX_USAGE)
  65  unusable input data (EX_DATAERR)
  66  input file not found (EX_NOINPUT)
  67  unknown user (EX_NOUSER)
  70  internal error (EX_SOFTWARE)
  73  cannot create (account exists, data directory) (EX_CANTCREAT)
  74  I/O error, e.g. a port already in use (EX_IOERR)
  75  temporary failure, retry later (EX_TEMPFAIL)
  78  invalid configuration (EX_CONFIG)`;

const COMMON_HELP = `Common options:
  --config FILE   config file (default ./mailroom.toml if present; env MAILROOM_CONFIG)
  --data DIR      data directory (default ./data)
  --store KIND    sqlite (default), memory, or a postgres://USER:PASS@HOST/DB URL
  -h, --help      show this help`;

/** Help of each command. */
export const HELP: Readonly<Record<string, string>> = {
  main: `mailroom - IMAP, POP3 and LMTP mail store

Usage:
  mailroom serve [options]                 run the daemon
  mailroom user add NAME [--password-stdin] create an account
  mailroom user passwd NAME [--password-stdin]
                                           change an account's password
  mailroom user del NAME                   delete an account and its mail
  mailroom user list                       list accounts
  mailroom deliver NAME [--mailbox M] < message.eml
                                           deliver one message (Postfix mailbox_command)
  mailroom import NAME PATH [--mailbox M]  import an mbox file, a Maildir or a folder of .eml

Run "mailroom COMMAND --help" for a command's options.

${COMMON_HELP}

${EXIT_CODES_HELP}
`,
  serve: `Usage: mailroom serve [options]

Runs the IMAP, POP3 and LMTP listeners over the store. With no listener flag, every listener starts on
its default (or config) address; when any listener flag is given, only the listed ones start.
Addresses are HOST:PORT, [IPV6]:PORT or :PORT (every interface); port 0 picks a free port. Each bound
address is logged as "listening: NAME=HOST:PORT".

Listeners:
  --imap H:P       IMAP with STARTTLS     (default 127.0.0.1:1143)
  --imaps H:P      IMAP over TLS          (default 127.0.0.1:1993)
  --pop3 H:P       POP3 with STLS         (default 127.0.0.1:1110)
  --pop3s H:P      POP3 over TLS          (default 127.0.0.1:1995)
  --lmtp H:P       LMTP delivery          (default 127.0.0.1:2424)
  --metrics H:P    Prometheus /metrics and /healthz over HTTP (default 127.0.0.1:9464)

Options:
  --static-password PW  any user name logs in with PW; its account is created at first login or
                        delivery (load tests). Refused (exit 78) unless every listener is on loopback.
  --no-demo             do not create the "demo" account on first run
${COMMON_HELP}

Signals: SIGTERM/SIGINT stop gracefully (exit 0); SIGHUP reloads the TLS certificate.

${EXIT_CODES_HELP}
`,
  user: `Usage:
  mailroom user add NAME [--password-stdin]
  mailroom user passwd NAME [--password-stdin]
  mailroom user del NAME
  mailroom user list

The password is read from the terminal without echo (asked twice), or, with --password-stdin, as the
first line of standard input. It is stored as a scrypt hash.

${COMMON_HELP}

${EXIT_CODES_HELP}
`,
  deliver: `Usage: mailroom deliver NAME [--mailbox M] < message.eml

Delivers one message read from standard input to account NAME (local@domain goes to the account
"local@domain" if it exists, else "local"; user+detail goes to "user"). For Postfix:
  mailbox_command = /path/to/mailroom/bin/mailroom deliver "$USER"
Works while the daemon runs; its IDLE sessions see the message.

Options:
  --mailbox M     deliver to mailbox M instead of INBOX (INBOX when M does not exist)
${COMMON_HELP}

${EXIT_CODES_HELP}
`,
  import: `Usage: mailroom import NAME PATH [--mailbox M]

Imports an mbox file, a Maildir (flags from the ":2," info suffix) or a folder of .eml files into
account NAME, keeping internal dates. Running it again does not duplicate messages. Shows progress on
standard error.

Options:
  --mailbox M     target mailbox (default INBOX; created if missing)
${COMMON_HELP}

${EXIT_CODES_HELP}
`,
};

const COMMON_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string' },
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const SERVE_OPTIONS = {
  ...COMMON_OPTIONS,
  imap: { type: 'string' },
  imaps: { type: 'string' },
  pop3: { type: 'string' },
  pop3s: { type: 'string' },
  lmtp: { type: 'string' },
  metrics: { type: 'string' },
  'static-password': { type: 'string' },
  'no-demo': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** A parsed command line. */
export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'serve'; readonly overrides: ConfigOverrides }
  | { readonly kind: 'user-add' | 'user-passwd'; readonly name: string; readonly passwordStdin: boolean; readonly overrides: ConfigOverrides }
  | { readonly kind: 'user-del'; readonly name: string; readonly overrides: ConfigOverrides }
  | { readonly kind: 'user-list'; readonly overrides: ConfigOverrides }
  | { readonly kind: 'deliver'; readonly name: string; readonly mailbox: string | null; readonly overrides: ConfigOverrides }
  | { readonly kind: 'import'; readonly name: string; readonly path: string; readonly mailbox: string | null; readonly overrides: ConfigOverrides };

function usage(message: string, help: string): CliError {
  // The first line of the help names the command; point at its --help instead of printing it all.
  const command = help === HELP.user ? 'user' : /^Usage: mailroom (\w+)/.exec(help)?.[1];
  return new CliError(ExitCode.usage, `${message}\nRun "mailroom ${command ?? ''}${command ? ' ' : ''}--help" for usage.`);
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, help: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage((err as Error).message, help);
  }
}

function commonOverrides(values: { config?: string; data?: string; store?: string }): {
  configFile?: string;
  values: Array<{ key: string; value: unknown; flag: string }>;
} {
  const out: Array<{ key: string; value: unknown; flag: string }> = [];
  if (values.data !== undefined) out.push({ key: 'data_dir', value: values.data, flag: '--data' });
  if (values.store !== undefined) out.push({ key: 'store', value: values.store, flag: '--store' });
  return values.config !== undefined ? { configFile: values.config, values: out } : { values: out };
}

/** Account names: printable, no whitespace, at most 255 bytes (they become IMAP/POP3 user names). */
export function checkUserName(name: string | undefined, help: string): string {
  if (name === undefined || name === '') throw usage('missing account NAME', help);
  if (!/^[^\s\x00-\x1f\x7f"\\]+$/u.test(name) || Buffer.byteLength(name) > 255) {
    throw usage(`invalid account name "${name}": no spaces, quotes, backslashes or control characters, at most 255 bytes`, help);
  }
  return name;
}

function expectPositionals(positionals: string[], count: number, help: string): void {
  if (positionals.length > count) throw usage(`unexpected argument "${positionals[count]}"`, help);
}

/** Parse argv (without node and the script). Throws CliError(64) on a usage error. */
export function parseCommandLine(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { kind: 'help', text: HELP.main };
  switch (command) {
    case 'serve': {
      const { values, positionals } = parse(rest, SERVE_OPTIONS, HELP.serve);
      if (values.help) return { kind: 'help', text: HELP.serve };
      expectPositionals(positionals, 0, HELP.serve);
      const common = commonOverrides(values);
      const given = LISTENERS.filter((name) => values[name] !== undefined);
      if (given.length > 0) {
        // Any listener flag: only the listed listeners start (DESIGN.md section 6).
        for (const name of LISTENERS) {
          common.values.push({ key: `listen.${name}`, value: values[name] ?? 'off', flag: given.includes(name) ? `--${name}` : `--${given[0]} (listener flags given)` });
        }
      }
      if (values['static-password'] !== undefined) common.values.push({ key: 'static_password', value: values['static-password'], flag: '--static-password' });
      if (values['no-demo']) common.values.push({ key: 'demo', value: false, flag: '--no-demo' });
      return { kind: 'serve', overrides: common };
    }
    case 'user': {
      const [sub, ...subArgs] = rest;
      if (sub === undefined || sub === '-h' || sub === '--help') return { kind: 'help', text: HELP.user };
      const options = { ...COMMON_OPTIONS, 'password-stdin': { type: 'boolean' } } as const;
      const { values, positionals } = parse(subArgs, options, HELP.user);
      if (values.help) return { kind: 'help', text: HELP.user };
      const overrides = commonOverrides(values);
      switch (sub) {
        case 'add':
        case 'passwd':
          expectPositionals(positionals, 1, HELP.user);
          return {
            kind: sub === 'add' ? 'user-add' : 'user-passwd',
            name: checkUserName(positionals[0], HELP.user),
            passwordStdin: values['password-stdin'] === true,
            overrides,
          };
        case 'del':
          if (values['password-stdin']) throw usage('--password-stdin is for add and passwd', HELP.user);
          expectPositionals(positionals, 1, HELP.user);
          return { kind: 'user-del', name: checkUserName(positionals[0], HELP.user), overrides };
        case 'list':
          if (values['password-stdin']) throw usage('--password-stdin is for add and passwd', HELP.user);
          expectPositionals(positionals, 0, HELP.user);
          return { kind: 'user-list', overrides };
        default:
          throw usage(`unknown user command "${sub}"`, HELP.user);
      }
    }
    case 'deliver': {
      const { values, positionals } = parse(rest, { ...COMMON_OPTIONS, mailbox: { type: 'string', short: 'm' } } as const, HELP.deliver);
      if (values.help) return { kind: 'help', text: HELP.deliver };
      expectPositionals(positionals, 1, HELP.deliver);
      if (values.mailbox === '') throw usage('--mailbox needs a name', HELP.deliver);
      return { kind: 'deliver', name: checkUserName(positionals[0], HELP.deliver), mailbox: values.mailbox ?? null, overrides: commonOverrides(values) };
    }
    case 'import': {
      const { values, positionals } = parse(rest, { ...COMMON_OPTIONS, mailbox: { type: 'string', short: 'm' } } as const, HELP.import);
      if (values.help) return { kind: 'help', text: HELP.import };
      expectPositionals(positionals, 2, HELP.import);
      const name = checkUserName(positionals[0], HELP.import);
      if (positionals[1] === undefined) throw usage('missing PATH', HELP.import);
      if (values.mailbox === '') throw usage('--mailbox needs a name', HELP.import);
      return { kind: 'import', name, path: positionals[1], mailbox: values.mailbox ?? null, overrides: commonOverrides(values) };
    }
    default:
      throw usage(`unknown command "${command}"`, HELP.main);
  }
}
