import type { Environment } from "../core/environment.ts";

export interface CostSums {
  count: number;
  measured: number;
  idleMonthlyUsd: number;
  last24hUsd: number;
  last30dUsd: number;
  lifeUsd: number;
  alwaysOnMonthlyUsd: number;
  estimated: boolean;
}

/** The API's totals: per repository or owner (costliest over 30 days first), and over all of them. */
export function totalEnvironmentCosts(
  environments: Iterable<Environment>,
  by: "repository" | "owner",
): { groups: ({ key: string } & CostSums)[]; total: CostSums } {
  const groups = new Map<string, { key: string } & CostSums>();
  const total = emptySums();
  for (const environment of environments) {
    const key = (by === "repository" ? environment.repository : environment.owner) ?? "";
    const group = groups.get(key) ?? { key, ...emptySums() };
    groups.set(key, group);
    add(group, environment);
    add(total, environment);
  }
  const sorted = [...groups.values()].sort((a, b) => b.last30dUsd - a.last30dUsd || a.key.localeCompare(b.key));
  return { groups: sorted, total };
}

function emptySums(): CostSums {
  return {
    count: 0,
    measured: 0,
    idleMonthlyUsd: 0,
    last24hUsd: 0,
    last30dUsd: 0,
    lifeUsd: 0,
    alwaysOnMonthlyUsd: 0,
    estimated: false,
  };
}

function add(sums: CostSums, { cost }: Environment): void {
  sums.count += 1;
  if (!cost) return;
  sums.measured += 1;
  sums.idleMonthlyUsd += cost.idleMonthlyUsd;
  sums.last24hUsd += cost.last24hUsd;
  sums.last30dUsd += cost.last30dUsd;
  sums.lifeUsd += cost.lifeUsd;
  sums.alwaysOnMonthlyUsd += cost.alwaysOnMonthlyUsd;
  sums.estimated ||= cost.estimated;
}
