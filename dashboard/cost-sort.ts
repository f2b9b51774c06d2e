import type { Environment } from "../core/environment.ts";

/** The list's cost orders (`?sort=`): the costliest first, by the last 30 days or by idle per month. */
export const costSorts = ["cost", "idle"] as const;
export type CostSort = (typeof costSorts)[number];

/** Costliest first; environments not measured yet last; ties newest first (the list's own order). */
export function compareByCost(
  sort: CostSort,
): (a: Pick<Environment, "updatedAt" | "cost">, b: Pick<Environment, "updatedAt" | "cost">) => number {
  const figure = (e: Pick<Environment, "cost">) =>
    e.cost ? (sort === "cost" ? e.cost.last30dUsd : e.cost.idleMonthlyUsd) : Number.NEGATIVE_INFINITY;
  return (a, b) => figure(b) - figure(a) || (b.updatedAt < a.updatedAt ? -1 : b.updatedAt > a.updatedAt ? 1 : 0);
}
