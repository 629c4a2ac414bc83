/** SASL mechanisms and password hashing, shared by the IMAP and POP3 servers. */
export type { SaslIdentity, SaslStep, SaslServer, SaslCredentialLookup, ScramCredentials, SaslMechanismFactory } from './types.ts';
export { hashPassword, verifyPassword } from './password.ts';
export { plainMechanism, parsePlainMessage } from './sasl-plain.ts';
export { loginMechanism } from './sasl-login.ts';
export { defaultMechanisms, mechanismAllowedWithoutTls } from './mechanisms.ts';
export { scramSha256Mechanism, createScramSha256Mechanism, scramKeys, SCRAM_DEFAULT_ITERATIONS, type ScramMechanismOptions } from './sasl-scram-sha-256.ts';
