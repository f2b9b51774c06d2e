import type { Registry } from "../registry/registry.ts";

/** The longest a share link lives; a revocation is kept this long, then every link it voided is dead anyway. */
export const MAX_SHARE_HOURS = 720;
const MAX_SHARE_MS = MAX_SHARE_HOURS * 3_600_000;

/**
 * "Revoke every link of this environment" as one record in the registry's revocation store (the one
 * dashboard logouts use, in both adapters, shared by every instance): the record
 * `share-links:<environment>` is kept until `revokedAt + MAX_SHARE_HOURS` (a later revocation
 * moves it later). A link issued at `issuedAt` is void when a revocation came after it, which is
 * exactly when that record is still "in force" at `issuedAt + MAX_SHARE_HOURS`:
 * revokedAt + MAX > issuedAt + MAX - 1  <=>  revokedAt >= issuedAt (in the same millisecond: revoked). Links
 * issued after a revocation work.
 */
export function createShareLinkRevocations(registry: Pick<Registry, "revokeSession" | "isSessionRevoked">) {
  const key = (environmentId: string) => `share-links:${environmentId}`;
  return {
    async revokeAll(environmentId: string, now: Date): Promise<void> {
      await registry.revokeSession(key(environmentId), new Date(now.getTime() + MAX_SHARE_MS), now);
    },
    async isRevoked(environmentId: string, issuedAt: Date): Promise<boolean> {
      return registry.isSessionRevoked(key(environmentId), new Date(issuedAt.getTime() + MAX_SHARE_MS - 1));
    },
  };
}

export type ShareLinkRevocations = ReturnType<typeof createShareLinkRevocations>;
