import type { Environment } from "../core/environment.ts";

export interface CostTotal {
  /** The repository, or the owner ("" for environments without one: branches and pull requests). */
  key: string;
  environments: number;
  /** Of which measured at least once. */
  measured: number;
  last24hUsd: number;
  last30dUsd: number;
  idleMonthlyUsd: number;
  /** The same copies always on (the smallest instance each): the serverless comparison. */
  alwaysOnMonthlyUsd: number;
  /** Some figures are estimates (copies on this machine). */
  estimated: boolean;
}

/** Cost totals per repository or per owner, costliest (last 30 days) first. */
export function sumEnvironmentCosts(environments: Iterable<Environment>, by: "repository" | "owner"): CostTotal[] {
  const totals = new Map<string, CostTotal>();
  for (const e of environments) {
    const key = (by === "repository" ? e.repository : e.owner) ?? "";
    let total = totals.get(key);
    if (!total) {
      total = {
        key,
        environments: 0,
        measured: 0,
        last24hUsd: 0,
        last30dUsd: 0,
        idleMonthlyUsd: 0,
        alwaysOnMonthlyUsd: 0,
        estimated: false,
      };
      totals.set(key, total);
    }
    total.environments++;
    if (!e.cost) continue;
    total.measured++;
    total.last24hUsd += e.cost.last24hUsd;
    total.last30dUsd += e.cost.last30dUsd;
    total.idleMonthlyUsd += e.cost.idleMonthlyUsd;
    total.alwaysOnMonthlyUsd += e.cost.alwaysOnMonthlyUsd;
    total.estimated ||= e.cost.estimated;
  }
  return [...totals.values()].sort((a, b) => b.last30dUsd - a.last30dUsd || a.key.localeCompare(b.key));
}
