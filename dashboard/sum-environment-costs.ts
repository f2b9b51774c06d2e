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

/**
 * Cost totals per repository and per owner, costliest (last 30 days) first, in one pass that keeps
 * no environment: 10,000 of them would be held at once otherwise.
 */
export async function sumEnvironmentCosts(
  environments: AsyncIterable<Environment> | Iterable<Environment>,
): Promise<{ byRepository: CostTotal[]; byOwner: CostTotal[] }> {
  const byRepository = new Map<string, CostTotal>();
  const byOwner = new Map<string, CostTotal>();
  for await (const e of environments) {
    add(byRepository, e.repository, e);
    add(byOwner, e.owner ?? "", e);
  }
  const sorted = (totals: Map<string, CostTotal>) =>
    [...totals.values()].sort((a, b) => b.last30dUsd - a.last30dUsd || a.key.localeCompare(b.key));
  return { byRepository: sorted(byRepository), byOwner: sorted(byOwner) };
}

function add(totals: Map<string, CostTotal>, key: string, e: Environment): void {
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
  if (!e.cost) return;
  total.measured++;
  total.last24hUsd += e.cost.last24hUsd;
  total.last30dUsd += e.cost.last30dUsd;
  total.idleMonthlyUsd += e.cost.idleMonthlyUsd;
  total.alwaysOnMonthlyUsd += e.cost.alwaysOnMonthlyUsd;
  total.estimated ||= e.cost.estimated;
}
