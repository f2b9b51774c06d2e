/**
 * Whether a session revoked until `expiresAt` (epoch ms; undefined when never revoked) is still
 * revoked at `now`: past its expiry its cookie is dead anyway, and the revocation means nothing.
 */
export function isRevocationInForce(expiresAt: number | undefined, now: Date): boolean {
  return expiresAt !== undefined && expiresAt > now.getTime();
}
