/**
 * SASL mechanisms as protocol-neutral state machines (RFC 4422). IMAP AUTHENTICATE and POP3 AUTH drive the
 * same mechanisms: the protocol layer base64-decodes client responses, feeds them to `step`, and encodes
 * the challenges it returns.
 */

/** What a finished SASL exchange proved. */
export type SaslIdentity =
  /** PLAIN / LOGIN: the protocol layer still has to check the password with Backend.login. */
  | { readonly kind: 'password'; readonly username: string; readonly password: string; readonly authzid?: string }
  /** The mechanism verified the user itself (SCRAM): the protocol layer opens it with Backend.openUser. */
  | { readonly kind: 'verified'; readonly username: string; readonly authzid?: string };

/** One step of an exchange. */
export type SaslStep =
  | { readonly type: 'challenge'; readonly data: Buffer }
  | { readonly type: 'success'; readonly identity: SaslIdentity; readonly data?: Buffer }
  | { readonly type: 'failure'; readonly reason: string };

/** A running exchange for one AUTHENTICATE command. */
export interface SaslServer {
  /**
   * Feed the client's next response (null when the client sent no initial response, RFC 4959).
   * Malformed input gives a failure step, never a throw.
   */
  step(response: Buffer | null): Promise<SaslStep>;
}

/** Looks up what mechanisms that verify the user themselves need (SCRAM keys). */
export interface SaslCredentialLookup {
  scramSha256?(username: string): Promise<ScramCredentials | null>;
}

/** Stored SCRAM keys (RFC 5802 section 3): never the password. */
export interface ScramCredentials {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Creates a fresh exchange; the server calls it once per AUTHENTICATE. */
export type SaslMechanismFactory = (context: { readonly secure: boolean; readonly lookup?: SaslCredentialLookup }) => SaslServer;
