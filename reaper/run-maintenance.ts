import type { Logger } from "../core/logger.ts";
import type { CostRunReport } from "../cost/create-cost-measurer.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { reapExpiredEnvironments } from "./reap-expired-environments.ts";
import { repairUnqueuedEnvironments } from "./repair-unqueued-environments.ts";

export interface MaintenanceDeps {
  registry: Registry;
  queue: JobQueue;
  nameMaxLength: number;
  log: Logger;
  now: () => Date;
  /** Wakes the embedded worker when a step queued a job (serve). */
  wakeWorker?: () => void;
  /** The AWS store's lost wakes: pending jobs under no live lease woken again. */
  rewakeStalled?: (now: Date) => Promise<number>;
  /** Reconciliation with GitHub, when it is due (the reaper Lambda; serve schedules its own). */
  reconcile?: () => Promise<MaintenanceReport["reconciled"]>;
  /** The orphan report (the reaper Lambda logs it; serve answers it on demand). */
  countOrphans?: () => Promise<MaintenanceReport["orphans"]>;
  /**
   * What each environment costs, measured and stored (cost/create-cost-measurer.ts); undefined
   * when its interval has not passed. Absent: `costIntervalSeconds` is 0.
   */
  measureCosts?: () => Promise<CostRunReport | undefined>;
}

/** What one run did; the reaper Lambda's answer, visible in the Scheduler's and Lambda's logs. */
export interface MaintenanceReport {
  expired: string[];
  /** Environments left with no job (queued, deploying, destroying), queued again. */
  repaired: string[];
  rewoken: number;
  orphans?: { stacks: number; environments: number; resources: number };
  /** What the reconciliation did, when it ran. */
  reconciled?: {
    reconciled: number;
    deferred: number;
    failed: number;
    changes: number;
    redeliveries: number;
    requests: { sent: number; notModified: number };
  };
  /** What the cost step measured, when it was due. */
  costs?: CostRunReport;
  /** Steps that failed; the others still ran. */
  errors: { step: string; code: string; message: string }[];
}

/**
 * The one maintenance run, which `stackfork serve`'s periodic sweep and the reaper Lambda both call:
 * destroy what expired, queue again what a crash left with no job, wake again the jobs whose wake
 * was lost, then (where asked) reconcile with GitHub, count orphans and measure what environments cost. Bounded: each step is a few
 * queries, and a step that fails does not keep the others from running.
 */
export async function runMaintenance(deps: MaintenanceDeps): Promise<MaintenanceReport> {
  const { registry, queue, log, now, wakeWorker } = deps;
  const report: MaintenanceReport = { expired: [], repaired: [], rewoken: 0, errors: [] };
  const step = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      report.errors.push({ step: name, code: e.code ?? "INTERNAL", message: e.message ?? String(err) });
      log.error({ err, step: name }, "maintenance step failed");
    }
  };
  await step("expiry", async () => {
    report.expired = await reapExpiredEnvironments({
      registry,
      queue,
      nameMaxLength: deps.nameMaxLength,
      wakeWorker,
      log,
      now,
    });
  });
  await step("repair", async () => {
    report.repaired = await repairUnqueuedEnvironments({ registry, queue, wakeWorker, log, now });
  });
  if (deps.rewakeStalled) {
    const rewake = deps.rewakeStalled;
    await step("rewake", async () => {
      report.rewoken = await rewake(now());
      if (report.rewoken > 0) log.info({ woken: report.rewoken }, "jobs with no live lease woken again");
    });
  }
  if (deps.reconcile) {
    const reconcile = deps.reconcile;
    await step("reconcile", async () => {
      report.reconciled = await reconcile();
    });
  }
  if (deps.countOrphans) {
    const countOrphans = deps.countOrphans;
    await step("orphans", async () => {
      report.orphans = await countOrphans();
    });
  }
  if (deps.measureCosts) {
    const measureCosts = deps.measureCosts;
    await step("cost", async () => {
      const costs = await measureCosts();
      if (costs) report.costs = costs;
    });
  }
  return report;
}
