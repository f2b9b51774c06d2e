import { StackforkError } from "../core/errors.ts";
import { createGroupCommit } from "../sqlite/create-group-commit.ts";
import { openSqliteDatabase } from "../sqlite/open-sqlite-database.ts";
import { createSqliteAccessStore } from "./create-sqlite-access-store.ts";
import { createSqliteCopyConfig } from "./create-sqlite-copy-config.ts";
import { createSqliteCostStore } from "./create-sqlite-cost-store.ts";
import { createSqliteDeliveries } from "./create-sqlite-deliveries.ts";
import { createSqliteEngineLog } from "./create-sqlite-engine-log.ts";
import { createSqliteEnvironments } from "./create-sqlite-environments.ts";
import { createSqliteHistory } from "./create-sqlite-history.ts";
import { createSqliteSessions } from "./create-sqlite-sessions.ts";
import { prepareSqliteRegistryStatements, type SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import type { Registry } from "./registry.ts";
import { type RegistryLimitOptions, resolveRegistryLimits } from "./resolve-registry-limits.ts";
import { sqliteRegistryMigrations } from "./sqlite-registry-migrations.ts";

export interface SqliteRegistryOptions extends RegistryLimitOptions {
  /** The SQLite file, created when missing. Its own file: not the queue's. */
  file: string;
}

/** "SFRG": marks the file as the registry's (see open-sqlite-database.ts). */
const REGISTRY_APPLICATION_ID = 0x53465247;

/** The embedded registry: one SQLite file in WAL mode, safe for several processes. */
export function createSqliteRegistry(options: SqliteRegistryOptions): Registry {
  const { maxLogLinesPerJob, deliveryRetainHours, problems } = resolveRegistryLimits(options);
  if (problems.length > 0) throw new StackforkError("CONFIG_INVALID", problems.join("; "), { details: { problems } });

  // Registry writes are replayable (the queue holds the work): a lost last commit on power loss is acceptable.
  const db = openSqliteDatabase({
    file: options.file,
    applicationId: REGISTRY_APPLICATION_ID,
    migrations: sqliteRegistryMigrations,
    synchronous: "NORMAL",
  });
  const store: SqliteRegistryStore = { db, sql: prepareSqliteRegistryStatements(db), group: createGroupCommit(db) };

  return {
    ...createSqliteEnvironments(store),
    ...createSqliteHistory(store),
    ...createSqliteEngineLog(store, maxLogLinesPerJob),
    ...createSqliteDeliveries(store, deliveryRetainHours),
    ...createSqliteSessions(store),
    ...createSqliteCopyConfig(store),
    ...createSqliteAccessStore(store),
    ...createSqliteCostStore(store),
    close: async () => {
      await store.group.close();
      db.close();
    },
  };
}
