import { openSqliteDatabase } from "../sqlite/open-sqlite-database.ts";
import type { DeliveryCheck, ReconciliationStore, RepositoryReconciliation } from "./reconciliation-store.ts";

export interface SqliteReconciliationStoreOptions {
  /** The SQLite file, created when missing: its own, not the registry's nor the queue's. */
  file: string;
}

/** "SFRC": marks the file as the reconciliation store's (see open-sqlite-database.ts). */
const RECONCILIATION_APPLICATION_ID = 0x53465243;

/** One JSON document per repository and per hook: read and written whole, a few per run. */
const migrations: readonly string[] = [
  `
  CREATE TABLE repositories (
    repository_key TEXT PRIMARY KEY,   -- lowercase owner/name
    record_json TEXT NOT NULL
  );
  CREATE TABLE delivery_checks (
    hook TEXT PRIMARY KEY,
    check_json TEXT NOT NULL
  );
  `,
];

/** The embedded reconciliation store: one small SQLite file in the data dir. */
export function createSqliteReconciliationStore(options: SqliteReconciliationStoreOptions): ReconciliationStore {
  // A lost last write costs one full (unconditional) read of GitHub: NORMAL is enough.
  const db = openSqliteDatabase({
    file: options.file,
    applicationId: RECONCILIATION_APPLICATION_ID,
    migrations,
    synchronous: "NORMAL",
  });
  const getRepository = db.prepare<[string], { record_json: string }>(
    "SELECT record_json FROM repositories WHERE repository_key = ?",
  );
  const putRepository = db.prepare<[string, string]>(
    "INSERT INTO repositories (repository_key, record_json) VALUES (?, ?) ON CONFLICT (repository_key) DO UPDATE SET record_json = excluded.record_json",
  );
  const allRepositories = db.prepare<[], { record_json: string }>(
    "SELECT record_json FROM repositories ORDER BY repository_key",
  );
  const getCheck = db.prepare<[string], { check_json: string }>(
    "SELECT check_json FROM delivery_checks WHERE hook = ?",
  );
  const putCheck = db.prepare<[string, string]>(
    "INSERT INTO delivery_checks (hook, check_json) VALUES (?, ?) ON CONFLICT (hook) DO UPDATE SET check_json = excluded.check_json",
  );
  const allChecks = db.prepare<[], { check_json: string }>("SELECT check_json FROM delivery_checks ORDER BY hook");

  return {
    async getRepository(repository) {
      const row = getRepository.get(repository.toLowerCase());
      return row ? (JSON.parse(row.record_json) as RepositoryReconciliation) : undefined;
    },
    async saveRepository(record) {
      putRepository.run(record.repository.toLowerCase(), JSON.stringify(record));
    },
    async listRepositories() {
      return allRepositories.all().map((row) => JSON.parse(row.record_json) as RepositoryReconciliation);
    },
    async getDeliveryCheck(hook) {
      const row = getCheck.get(hook);
      return row ? (JSON.parse(row.check_json) as DeliveryCheck) : undefined;
    },
    async saveDeliveryCheck(check) {
      putCheck.run(check.hook, JSON.stringify(check));
    },
    async listDeliveryChecks() {
      return allChecks.all().map((row) => JSON.parse(row.check_json) as DeliveryCheck);
    },
    async close() {
      db.close();
    },
  };
}
