/** Password checks that take as long for an unknown account as for a known one. */
import { verifyPassword } from '../../auth/password.ts';

/**
 * A well-formed scrypt hash (auth/password.ts format, default cost ln=15,r=8,p=1) that no password
 * matches: zero salt and zero key. Verifying against it costs what a real verification costs.
 */
export const DECOY_PASSWORD_HASH = '$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Verify `password` against an account's stored hash, or against DECOY_PASSWORD_HASH when there is no
 * account (`storedHash` undefined), in which case the answer is false. Either way the work is one scrypt
 * verification, so the answer time does not tell a client which accounts exist.
 */
export async function verifyOrDecoy(password: string, storedHash: string | undefined): Promise<boolean> {
  const ok = await verifyPassword(password, storedHash ?? DECOY_PASSWORD_HASH);
  return storedHash !== undefined && ok;
}
