import type { ConfigEntry, ConfigOverride } from "../core/config-entry.ts";
import type { CopyConfigStore } from "./copy-config-store.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";

interface OverrideRow {
  key: string;
  value: string;
  secret: number;
}

/** Tables `config_overrides` (one row per key) and `effective_configs` (JSON), migration 6. */
export function createSqliteCopyConfig({ db, sql, group }: SqliteRegistryStore): CopyConfigStore {
  const put = db.prepare(
    `INSERT INTO config_overrides (environment_id, key, value, secret, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (environment_id, key) DO UPDATE SET value = excluded.value, secret = excluded.secret, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare("DELETE FROM config_overrides WHERE environment_id = ? AND key = ?");
  const list = db.prepare<[string], OverrideRow>(
    "SELECT key, value, secret FROM config_overrides WHERE environment_id = ? ORDER BY key",
  );
  const save = db.prepare(
    `INSERT INTO effective_configs (environment_id, entries_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (environment_id) DO UPDATE SET entries_json = excluded.entries_json, updated_at = excluded.updated_at`,
  );
  const read = db.prepare<[string], { entries_json: string }>(
    "SELECT entries_json FROM effective_configs WHERE environment_id = ?",
  );
  return {
    putConfigOverride: (environmentId, { key, value, secret }, now) =>
      group.write(() => {
        if (!sql.environmentExists.get(environmentId)) throw environmentNotFound(environmentId);
        put.run(environmentId, key, value, secret ? 1 : 0, now.toISOString());
      }),
    deleteConfigOverride: (environmentId, key) =>
      group.write(() => {
        remove.run(environmentId, key);
      }),
    listConfigOverrides: async (environmentId): Promise<ConfigOverride[]> =>
      list.all(environmentId).map((row) => ({ key: row.key, value: row.value, secret: row.secret === 1 })),
    saveEffectiveConfig: (environmentId, entries, now) =>
      group.write(() => {
        if (!sql.environmentExists.get(environmentId)) throw environmentNotFound(environmentId);
        save.run(environmentId, JSON.stringify(entries), now.toISOString());
      }),
    readEffectiveConfig: async (environmentId) => {
      const row = read.get(environmentId);
      return row ? (JSON.parse(row.entries_json) as ConfigEntry[]) : undefined;
    },
  };
}
