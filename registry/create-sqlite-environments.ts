import type Database from "better-sqlite3";
import { type EnvironmentIdentity, type EnvironmentStatus, formatIdentityKey } from "../core/environment.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { StackforkError } from "../core/errors.ts";
import { applyEnvironmentPatch } from "./apply-environment-patch.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import { fromSqliteEnvironmentRow } from "./from-sqlite-environment-row.ts";
import { listSqliteEnvironments } from "./list-sqlite-environments.ts";
import { newEnvironment } from "./new-environment.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import type { EnvironmentPatch, Registry } from "./registry.ts";
import { toSqliteEnvironmentRow } from "./to-sqlite-environment-row.ts";

export type EnvironmentMethods =
  | "ensureEnvironment"
  | "getEnvironment"
  | "findEnvironment"
  | "listEnvironments"
  | "countByStatus"
  | "updateEnvironment";

/** The environments of the SQLite registry: one row each, found by id, identity key or a listing. */
export function createSqliteEnvironments({ db, sql, group }: SqliteRegistryStore): Pick<Registry, EnvironmentMethods> {
  const listStatements = new Map<string, Database.Statement>();

  const ensureEnvironment = db.transaction(
    (identity: EnvironmentIdentity, status: EnvironmentStatus, now: Date, nameMaxLength?: number) => {
      const existing = sql.environmentByIdentity.get(formatIdentityKey(identity));
      if (existing) return fromSqliteEnvironmentRow(existing);
      const row = toSqliteEnvironmentRow(
        newEnvironment(identity, pickUniqueName(identity, nameMaxLength), status, now),
      );
      sql.insertEnvironment.run(row);
      return fromSqliteEnvironmentRow(row);
    },
  );

  function pickUniqueName(identity: EnvironmentIdentity, maxLength: number | undefined): string {
    // The plain name may belong to another identity (a branch literally named like a hashed name).
    for (const forceHash of [false, true]) {
      const name = nameEnvironment(identity, { maxLength, forceHash });
      if (!sql.nameTaken.get({ name })) return name;
    }
    throw new StackforkError("NAME_TAKEN", `no free name for ${formatIdentityKey(identity)}`, {
      details: { identity: formatIdentityKey(identity) },
    });
  }

  const updateEnvironment = db.transaction((id: string, patch: EnvironmentPatch, now: Date) => {
    const row = sql.environmentById.get(id);
    if (!row) throw environmentNotFound(id);
    const next = toSqliteEnvironmentRow(applyEnvironmentPatch(fromSqliteEnvironmentRow(row), patch, now));
    sql.updateEnvironment.run(next);
    // Read back from the row, as a later get would: outputs exactly as their JSON round trip.
    return fromSqliteEnvironmentRow(next);
  });

  return {
    ensureEnvironment: async (identity, init) => {
      // Most deliveries find their environment: a read, with no commit to wait for.
      const existing = sql.environmentByIdentity.get(formatIdentityKey(identity));
      if (existing) return fromSqliteEnvironmentRow(existing);
      return group.write(() => ensureEnvironment(identity, init.status, init.now, init.nameMaxLength));
    },
    getEnvironment: async (id) => {
      const row = sql.environmentById.get(id);
      return row && fromSqliteEnvironmentRow(row);
    },
    findEnvironment: async (identity) => {
      const row = sql.environmentByIdentity.get(formatIdentityKey(identity));
      return row && fromSqliteEnvironmentRow(row);
    },
    listEnvironments: async (query = {}) => listSqliteEnvironments(db, listStatements, query),
    countByStatus: async () => Object.fromEntries(sql.countByStatus.all().map((row) => [row.status, row.count])),
    updateEnvironment: (id, patch, now) => group.write(() => updateEnvironment(id, patch, now)),
  };
}
