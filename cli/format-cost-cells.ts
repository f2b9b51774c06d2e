import type { EnvironmentCost } from "../core/environment-cost.ts";
import { formatUsd } from "../core/format-usd.ts";

/** The cost columns of `stackfork ls --cost` and `stackfork cost`. */
export const COST_HEADER = ["IDLE/MONTH", "24H", "30D", "LIFE", "ALWAYS-ON/MONTH"];

/**
 * An environment's figures as those columns, unrounded below a cent (`$0.0003`); an estimate (a copy
 * on this machine) marked `~`; before the first measurement, `-` in each.
 */
export function formatCostCells(cost: Omit<EnvironmentCost, "measuredAt"> | null | undefined): string[] {
  if (!cost) return COST_HEADER.map(() => "-");
  const mark = cost.estimated ? "~" : "";
  return [cost.idleMonthlyUsd, cost.last24hUsd, cost.last30dUsd, cost.lifeUsd, cost.alwaysOnMonthlyUsd].map(
    (usd) => `${mark}${formatUsd(usd)}`,
  );
}
