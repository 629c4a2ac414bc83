/** The built-in mechanism registry both protocol servers start from. */
import type { SaslMechanismFactory } from './types.ts';
import { plainMechanism } from './sasl-plain.ts';
import { loginMechanism } from './sasl-login.ts';

/** Built-in mechanisms by upper-case name, in advertisement order. Returns a fresh map the caller may extend. */
export function defaultMechanisms(): Map<string, SaslMechanismFactory> {
  return new Map<string, SaslMechanismFactory>([
    ['PLAIN', plainMechanism],
    ['LOGIN', loginMechanism],
  ]);
}

/**
 * Whether a mechanism may be offered on a connection without TLS: PLAIN and LOGIN send the password in
 * the clear (RFC 4616 section 5), so they need TLS unless insecure auth is allowed; challenge-response
 * mechanisms (SCRAM) do not.
 */
export function mechanismAllowedWithoutTls(name: string): boolean {
  const upper = name.toUpperCase();
  return upper !== 'PLAIN' && upper !== 'LOGIN';
}
