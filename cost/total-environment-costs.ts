import type { Environment } from "../core/environment.ts";

/** The sums of a set of environments' costs: the API's totals, the list's tables, `stackfork cost`. */
export interface CostSums {
  count: number;
  /** Of which measured at least once. */
  measured: number;
  idleMonthlyUsd: number;
  last24hUsd: number;
  last30dUsd: number;
  lifeUsd: number;
  /** The same copies always on (the smallest instance each): the serverless comparison. */
  alwaysOnMonthlyUsd: number;
  /** Some figures are estimates (copies on this machine). */
  estimated: boolean;
}

/** A repository's or an owner's sums ("" for environments without an owner: branches and pull requests). */
export interface CostGroup extends CostSums {
  key: string;
}

export type CostGrouping = "repository" | "owner";

/**
 * Cost totals per grouping (costliest over 30 days first) and over all, in one pass that keeps no
 * environment: 10,000 of them would be held at once otherwise.
 */
export async function totalEnvironmentCosts<G extends CostGrouping>(
  environments: AsyncIterable<Environment> | Iterable<Environment>,
  groupings: readonly G[],
): Promise<{ groups: Record<G, CostGroup[]>; total: CostSums }> {
  const maps = groupings.map((by) => [by, new Map<string, CostGroup>()] as const);
  const total = emptySums();
  for await (const environment of environments) {
    for (const [by, groups] of maps) {
      const key = (by === "repository" ? environment.repository : environment.owner) ?? "";
      let group = groups.get(key);
      if (!group) {
        group = { key, ...emptySums() };
        groups.set(key, group);
      }
      add(group, environment);
    }
    add(total, environment);
  }
  const sorted = (groups: Map<string, CostGroup>) =>
    [...groups.values()].sort((a, b) => b.last30dUsd - a.last30dUsd || a.key.localeCompare(b.key));
  const groups = Object.fromEntries(maps.map(([by, map]) => [by, sorted(map)])) as Record<G, CostGroup[]>;
  return { groups, total };
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
