/**
 * Listener addresses as written in flags and config: `HOST:PORT`, `[IPV6]:PORT` or `:PORT`.
 */
import { isIP } from 'node:net';

/** A parsed listen address. `host` is what net.Server.listen() receives. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Host used for `:PORT` (every interface), written the way Node's listen() understands it. */
export const ANY_HOST = '0.0.0.0';

/** Why an address was rejected; the caller adds the config key. */
export class AddressError extends Error {
  override readonly name = 'AddressError';
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

/** Parse `HOST:PORT`, `[V6]:PORT` or `:PORT`; port 0 asks the system for a free port. */
export function parseListenAddress(text: string): ListenAddress {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed);
  if (v6) {
    host = v6[1];
    portText = v6[2];
    if (isIP(host) !== 6) throw new AddressError(`"${text}" is not a valid IPv6 address`);
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon < 0) throw new AddressError(`"${text}" has no port; write HOST:PORT, [IPV6]:PORT or :PORT`);
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (host === '') host = ANY_HOST;
    else if (host.includes(':')) throw new AddressError(`"${text}": write IPv6 addresses in brackets, e.g. [::1]:143`);
    else if (isIP(host) === 0 && !HOST_NAME.test(host)) throw new AddressError(`"${text}" has an invalid host`);
  }
  if (!/^\d{1,5}$/.test(portText)) throw new AddressError(`"${text}" has an invalid port`);
  const port = Number(portText);
  if (port > 65535) throw new AddressError(`"${text}": port must be 0-65535`);
  return { host, port };
}

/** Render an address for logs: `127.0.0.1:1143`, `[::1]:1143`. */
export function formatAddress(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * True when the host is a loopback address: 127.0.0.0/8, ::1, an IPv4-mapped loopback, or the name
 * `localhost`. Other names are not resolved: a name that might reach the network is not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}
