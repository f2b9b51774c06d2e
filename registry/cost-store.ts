import type { CostDetail, EnvironmentCost } from "../core/environment-cost.ts";

/**
 * The costs the maintenance run measured (issue 21), kept so that no page view measures anything.
 * The figures ride on the environment (`Environment.cost`, in every list) without touching its
 * `updatedAt`; the detail (daily series, breakdown) is read for one environment's page only.
 */
export interface CostStore {
  /** Replaces the environment's last measurement. An unknown environment throws NOT_FOUND. */
  saveCost(environmentId: string, cost: EnvironmentCost, detail: CostDetail): Promise<void>;
  /** The last measurement's detail; undefined before the first one, or for an unknown environment. */
  readCostDetail(environmentId: string): Promise<CostDetail | undefined>;
}
