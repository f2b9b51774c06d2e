import type { Environment } from "../core/environment.ts";
import type { CostDetail, MeasuredUsage } from "../core/environment-cost.ts";
import { isStackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";
import { decideCostsDue } from "./decide-costs-due.ts";
import type { CloudWatchCallCount } from "./fetch-daily-metric-sums.ts";
import { priceMeasuredUsage } from "./price-measured-usage.ts";
import type { PriceTable } from "./price-table.ts";
import type { UsageSource } from "./usage-source.ts";

export interface CostMeasurerDeps {
  registry: Pick<Registry, "listEnvironments" | "saveCost">;
  /** CloudWatch for copies on AWS, the counters of copies on this machine: the first to measure a copy wins. */
  sources: readonly UsageSource[];
  priceTable: PriceTable;
  /** `costIntervalSeconds`: a run measures at most this often (a maintenance run comes every minute). */
  intervalSeconds: number;
  /** Names of environments with activity now (CloudWatch's recently active metrics). */
  findActive?: () => Promise<Set<string>>;
  /** Cost Explorer's figures by environment name, when the operator turned it on. */
  costExplorer?: () => Promise<Map<string, NonNullable<CostDetail["costExplorer"]>>>;
  log: Logger;
  now: () => Date;
}

/** What a cost run did: the maintenance run's report. */
export interface CostRunReport {
  due: number;
  measured: number;
  failed: { environment: string; code: string }[];
  /** What the run asked CloudWatch (what it bills), where copies are on AWS. */
  cloudwatch?: CloudWatchCallCount;
}

const SLACK_MS = 60_000;

/**
 * The maintenance run's "cost" step: at most once per interval (undefined otherwise), measure the
 * environments that are due (decide-costs-due.ts), price them with the committed table and store
 * the result, so no page view measures anything. One copy that cannot be priced (a region the
 * table lacks) is reported and the others are still stored.
 */
export function createCostMeasurer(deps: CostMeasurerDeps): () => Promise<CostRunReport | undefined> {
  const intervalMs = deps.intervalSeconds * 1000;
  let lastRunAt: number | undefined;
  return async () => {
    const now = deps.now();
    if (lastRunAt !== undefined && now.getTime() - lastRunAt < intervalMs - SLACK_MS) return undefined;
    lastRunAt = now.getTime();
    const environments: Environment[] = [];
    for await (const environment of eachEnvironment(deps.registry)) environments.push(environment);
    const active = deps.findActive ? await deps.findActive() : new Set<string>();
    const due = decideCostsDue(environments, { now, intervalMs, active });
    const report: CostRunReport = { due: due.length, measured: 0, failed: [] };
    if (due.length === 0) return report;

    const measured = new Map<string, MeasuredUsage>();
    for (const source of deps.sources) {
      const remaining = due.filter((e) => !measured.has(e.id));
      if (remaining.length === 0) break;
      for (const [id, usage] of await source.measure(remaining, now)) measured.set(id, usage);
    }
    const explorer = measured.size > 0 && deps.costExplorer ? await readCostExplorer(deps) : undefined;
    for (const environment of due) {
      const usage = measured.get(environment.id);
      if (!usage) continue;
      try {
        const { cost, detail } = priceMeasuredUsage(usage, deps.priceTable, { createdAt: environment.createdAt, now });
        const fromExplorer = explorer?.get(environment.name);
        await deps.registry.saveCost(
          environment.id,
          cost,
          fromExplorer ? { ...detail, costExplorer: fromExplorer } : detail,
        );
        report.measured += 1;
      } catch (err) {
        // Destroyed and deleted while the run measured it: nothing to keep.
        if (isStackforkError(err, "NOT_FOUND")) continue;
        const code = isStackforkError(err) ? err.code : "INTERNAL";
        report.failed.push({ environment: environment.id, code });
        deps.log.error({ err, environment: environment.id }, "an environment's cost could not be priced");
      }
    }
    deps.log.info({ due: report.due, measured: report.measured, failed: report.failed.length }, "costs measured");
    return report;
  };
}

/** Cost Explorer is a second opinion: its failure leaves the measured figures standing. */
async function readCostExplorer(deps: CostMeasurerDeps) {
  try {
    return await deps.costExplorer?.();
  } catch (err) {
    deps.log.warn({ err }, "Cost Explorer could not be read: the measured figures stand alone");
    return undefined;
  }
}
