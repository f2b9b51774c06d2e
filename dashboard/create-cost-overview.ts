import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { totalEnvironmentCosts } from "../cost/total-environment-costs.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { ListEnvironmentsQuery, Registry } from "../registry/registry.ts";
import { type CostSort, compareByCost } from "./cost-sort.ts";
import type { CostTotalsView } from "./render-cost-totals.ts";

export interface CostOverviewDeps {
  registry: Pick<Registry, "listEnvironments" | "getEnvironment">;
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
  /**
   * A page of the list in a cost order; the cursor is the previous page's `nextCursor`. The order
   * is kept as long as the totals (ids only); the rows are read fresh.
   */
  listByCost(
    query: Omit<ListEnvironmentsQuery, "limit" | "cursor">,
    sort: CostSort,
    page: { cursor?: string; limit: number },
  ): Promise<{ environments: Environment[]; nextCursor?: string }>;
}

/** Cost orders kept at once (one per filter combination asked for). */
const ORDERS_KEPT = 20;

/**
 * What the list needs of every environment's cost at once. The registry orders by time only, so a
 * cost order reads the filtered environments whole and sorts them here (10,000 in BENCHMARKS.md),
 * keeping only their ids, at most once in `totalsMaxAgeMs` per filter.
 */
export function createCostOverview(deps: CostOverviewDeps): CostOverview {
  const maxAgeMs = deps.totalsMaxAgeMs ?? 60_000;
  let cached: { at: number; view: Promise<CostTotalsView> } | undefined;
  const orders = new Map<string, { at: number; ids: Promise<string[]> }>();
  const stale = (at: number, now: number) => now - at >= maxAgeMs || now < at;

  function order(query: Omit<ListEnvironmentsQuery, "limit" | "cursor">, sort: CostSort): Promise<string[]> {
    const key = JSON.stringify([sort, query]);
    const now = deps.now().getTime();
    const kept = orders.get(key);
    if (kept && !stale(kept.at, now)) return kept.ids;
    const ids = (async () => {
      const ranked: Pick<Environment, "id" | "updatedAt" | "cost">[] = [];
      for await (const { id, updatedAt, cost } of eachEnvironment(deps.registry, query))
        ranked.push({ id, updatedAt, cost });
      return ranked.sort(compareByCost(sort)).map((e) => e.id);
    })();
    orders.delete(key);
    orders.set(key, { at: now, ids });
    if (orders.size > ORDERS_KEPT) orders.delete(orders.keys().next().value as string);
    ids.catch(() => orders.get(key)?.ids === ids && orders.delete(key));
    return ids;
  }

  async function sum(at: Date): Promise<CostTotalsView> {
    const { groups } = await totalEnvironmentCosts(eachEnvironment(deps.registry), ["repository", "owner"]);
    return { byRepository: groups.repository, byOwner: groups.owner, summedAt: at.toISOString() };
  }

  return {
    totals() {
      const now = deps.now();
      if (!cached || stale(cached.at, now.getTime())) {
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
      const ids = await order(query, sort);
      const rows = await Promise.all(ids.slice(offset, offset + limit).map((id) => deps.registry.getEnvironment(id)));
      const next = offset + limit;
      return {
        // One deleted since the order was taken is left out.
        environments: rows.filter((e): e is Environment => e !== undefined),
        nextCursor: next < ids.length ? `${sort}:${next}` : undefined,
      };
    },
  };
}

function parseCursor(cursor: string, sort: CostSort): number {
  const match = /^(\w+):(\d{1,7})$/.exec(cursor);
  if (!match || match[1] !== sort)
    throw new StackforkError("INVALID_INPUT", "this page link is not one of this list's");
  return Number(match[2]);
}
