import type { Environment } from "../core/environment.ts";

/**
 * An idle copy is measured again after this long even when nothing says it changed: its 30-day
 * window slides and its logs expire. Weekly keeps measuring 100 idle copies near $0.03 a month
 * (README, "What an environment costs").
 */
export const IDLE_REMEASURE_MS = 7 * 86_400_000;
/** A run a little early (the schedule's jitter) still counts as an interval. */
const SLACK_MS = 60_000;

/**
 * Which environments a cost run measures. Always: the never measured, and those changed since their
 * last measurement (a deploy, a destroy). Every interval: those that had usage in their last 24
 * hours, or that `active` names (CloudWatch's recently active metrics). Otherwise weekly.
 */
export function decideCostsDue(
  environments: readonly Environment[],
  options: { now: Date; intervalMs: number; active: ReadonlySet<string> },
): Environment[] {
  const now = options.now.getTime();
  return environments.filter((environment) => {
    const cost = environment.cost;
    if (!cost) return true;
    const measuredAt = Date.parse(cost.measuredAt);
    if (Date.parse(environment.updatedAt) > measuredAt) return true;
    const age = now - measuredAt;
    if (age >= IDLE_REMEASURE_MS - SLACK_MS) return true;
    const busy = hadUsage(cost) || options.active.has(environment.name);
    return busy && age >= options.intervalMs - SLACK_MS;
  });
}

/** Usage beyond storage in the last 24 hours: the 24 h figure is usage plus a day of the idle cost. */
function hadUsage(cost: NonNullable<Environment["cost"]>): boolean {
  const storageOfADay = (cost.idleMonthlyUsd * 24) / 730;
  return cost.last24hUsd - storageOfADay > Math.max(1e-12, storageOfADay * 1e-9);
}
