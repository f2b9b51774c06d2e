import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { ListEnvironmentsQuery, Registry } from "../registry/registry.ts";
import { type CostSort, compareByCost } from "./cost-sort.ts";
import type { CostTotalsView } from "./render-cost-totals.ts";
import { sumEnvironmentCosts } from "./sum-environment-costs.ts";

export interface CostOverviewDeps {
  registry: Pick<Registry, "listEnvironments">;
  now: () => Date;
  /**
   * How long summed totals are served again: costs change once per measurement (minutes apart),
   * and summing reads every live environment.
   * @default 60000
   */
  totalsMaxAgeMs?: number;
}

export interface CostOverview {
  /** Totals per repository and per owner over the live environments. */
  totals(): Promise<CostTotalsView>;
  /** A page of the list in a cost order; the cursor is the previous page's `nextCursor`. */
  listByCost(
    query: Omit<ListEnvironmentsQuery, "limit" | "cursor">,
    sort: CostSort,
    page: { cursor?: string; limit: number },
  ): Promise<{ environments: Environment[]; nextCursor?: string }>;
}

/**
 * What the list needs of every environment's cost at once. The registry orders by time only, so a
 * cost order reads the filtered environments whole and sorts them here (10,000 in BENCHMARKS.md).
 */
export function createCostOverview(deps: CostOverviewDeps): CostOverview {
  const maxAgeMs = deps.totalsMaxAgeMs ?? 60_000;
  let cached: { at: number; view: Promise<CostTotalsView> } | undefined;

  async function sum(at: Date): Promise<CostTotalsView> {
    const live: Environment[] = [];
    for await (const e of eachEnvironment(deps.registry)) live.push(e);
    return {
      byRepository: sumEnvironmentCosts(live, "repository"),
      byOwner: sumEnvironmentCosts(live, "owner"),
      summedAt: at.toISOString(),
    };
  }

  return {
    totals() {
      const now = deps.now();
      if (!cached || now.getTime() - cached.at >= maxAgeMs || now.getTime() < cached.at) {
        const view = sum(now);
        cached = { at: now.getTime(), view };
        // A failed sum is not kept: the next page view tries again.
        view.catch(() => {
          if (cached?.view === view) cached = undefined;
        });
      }
      return cached.view;
    },

    async listByCost(query, sort, { cursor, limit }) {
      const offset = cursor === undefined ? 0 : parseCursor(cursor, sort);
      const all: Environment[] = [];
      for await (const e of eachEnvironment(deps.registry, query)) all.push(e);
      all.sort(compareByCost(sort));
      const environments = all.slice(offset, offset + limit);
      const next = offset + limit;
      return { environments, nextCursor: next < all.length ? `${sort}:${next}` : undefined };
    },
  };
}

function parseCursor(cursor: string, sort: CostSort): number {
  const match = /^(\w+):(\d{1,7})$/.exec(cursor);
  if (!match || match[1] !== sort)
    throw new StackforkError("INVALID_INPUT", "this page link is not one of this list's");
  return Number(match[2]);
}
