import { isRevocationInForce } from "./is-revocation-in-force.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import type { Registry } from "./registry.ts";

/** The dashboard sessions revoked (logged out), one row each until the session's own expiry. */
export function createSqliteSessions({
  sql,
  group,
}: SqliteRegistryStore): Pick<Registry, "revokeSession" | "isSessionRevoked"> {
  return {
    revokeSession: (sessionId, expiresAt, now) =>
      group.write(() => {
        // Revoked ones past their expiry are swept here: a logout is rare, a read is not.
        sql.pruneRevokedSessions.run(now.getTime());
        sql.revokeSession.run({ session_id: sessionId, expires_at: expiresAt.getTime() });
      }),
    isSessionRevoked: async (sessionId, now) => isRevocationInForce(sql.revokedSession.get(sessionId)?.expires_at, now),
  };
}
