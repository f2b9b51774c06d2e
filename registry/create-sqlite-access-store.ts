import type { TokenScope } from "../core/principal.ts";
import type { AccessStore, NamedToken, PersonSession } from "./access-store.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import { tokenNameTaken } from "./token-name-taken.ts";
import { tokenNotFound } from "./token-not-found.ts";

interface PersonSessionRow {
  id: string;
  login: string;
  via: PersonSession["via"];
  created_at: string;
  expires_at: string;
  expires_at_ms: number;
}

interface NamedTokenRow {
  name: string;
  digest: string;
  scopes_json: string;
  created_by: string;
  created_at: string;
}

/**
 * People's sessions and named tokens in the registry's file (migration 7 of
 * sqlite-registry-migrations.ts). An ended session or a revoked token is deleted: the next read,
 * from any process on the file, no longer finds it.
 */
export function createSqliteAccessStore({ db, group }: SqliteRegistryStore): AccessStore {
  const sql = {
    insertSession: db.prepare<[PersonSessionRow]>(
      `INSERT INTO person_sessions (id, login, via, created_at, expires_at, expires_at_ms)
       VALUES (@id, @login, @via, @created_at, @expires_at, @expires_at_ms)`,
    ),
    liveSession: db.prepare<[string, number], PersonSessionRow>(
      "SELECT * FROM person_sessions WHERE id = ? AND expires_at_ms > ?",
    ),
    deleteSession: db.prepare<[string]>("DELETE FROM person_sessions WHERE id = ?"),
    pruneSessions: db.prepare<[number]>("DELETE FROM person_sessions WHERE expires_at_ms <= ?"),
    insertToken: db.prepare<[NamedTokenRow]>(
      `INSERT INTO named_tokens (name, digest, scopes_json, created_by, created_at)
       VALUES (@name, @digest, @scopes_json, @created_by, @created_at) ON CONFLICT DO NOTHING`,
    ),
    tokenByDigest: db.prepare<[string], NamedTokenRow>("SELECT * FROM named_tokens WHERE digest = ?"),
    tokens: db.prepare<[], NamedTokenRow>("SELECT * FROM named_tokens ORDER BY name"),
    deleteToken: db.prepare<[string]>("DELETE FROM named_tokens WHERE name = ?"),
  };

  return {
    createPersonSession: (session) =>
      group.write(() => {
        // Expired ones are swept here: a sign-in is rare, a read is not.
        sql.pruneSessions.run(Date.parse(session.createdAt));
        sql.insertSession.run({
          id: session.id,
          login: session.login,
          via: session.via,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
          expires_at_ms: Date.parse(session.expiresAt),
        });
      }),
    readPersonSession: async (id, now) => {
      const row = sql.liveSession.get(id, now.getTime());
      return (
        row && { id: row.id, login: row.login, via: row.via, createdAt: row.created_at, expiresAt: row.expires_at }
      );
    },
    endPersonSession: (id) =>
      group.write(() => {
        sql.deleteSession.run(id);
      }),
    createNamedToken: (token) =>
      group.write(() => {
        const inserted = sql.insertToken.run({
          name: token.name,
          digest: token.digest,
          scopes_json: JSON.stringify(token.scopes),
          created_by: token.createdBy,
          created_at: token.createdAt,
        });
        if (inserted.changes === 0) throw tokenNameTaken(token.name);
      }),
    findNamedToken: async (digest) => {
      const row = sql.tokenByDigest.get(digest);
      return row && toNamedToken(row);
    },
    listNamedTokens: async () => sql.tokens.all().map(toNamedToken),
    revokeNamedToken: (name) =>
      group.write(() => {
        if (sql.deleteToken.run(name).changes === 0) throw tokenNotFound(name);
      }),
  };
}

function toNamedToken(row: NamedTokenRow): NamedToken {
  return {
    name: row.name,
    digest: row.digest,
    scopes: JSON.parse(row.scopes_json) as TokenScope[],
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
