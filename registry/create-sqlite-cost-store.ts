import type { CostDetail } from "../core/environment-cost.ts";
import type { CostStore } from "./cost-store.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import type { SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";

/** Column `environments.cost_json` and table `cost_details`, migration 8. */
export function createSqliteCostStore({ db, group }: SqliteRegistryStore): CostStore {
  // Only the cost column: `updated_at` (the listing's order) stays what the last real change set.
  const saveFigures = db.prepare("UPDATE environments SET cost_json = ? WHERE id = ?");
  const saveDetail = db.prepare(
    `INSERT INTO cost_details (environment_id, detail_json) VALUES (?, ?)
     ON CONFLICT (environment_id) DO UPDATE SET detail_json = excluded.detail_json`,
  );
  const readDetail = db.prepare<[string], { detail_json: string }>(
    "SELECT detail_json FROM cost_details WHERE environment_id = ?",
  );
  return {
    saveCost: (environmentId, cost, detail) =>
      group.write(() => {
        if (saveFigures.run(JSON.stringify(cost), environmentId).changes === 0)
          throw environmentNotFound(environmentId);
        saveDetail.run(environmentId, JSON.stringify(detail));
      }),
    readCostDetail: async (environmentId) => {
      const row = readDetail.get(environmentId);
      return row ? (JSON.parse(row.detail_json) as CostDetail) : undefined;
    },
  };
}
