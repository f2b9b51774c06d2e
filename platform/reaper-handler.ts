import { createCostStep } from "../app/create-cost-step.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { findOrphans } from "../reaper/find-orphans.ts";
import { type MaintenanceReport, runMaintenance } from "../reaper/run-maintenance.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import type { RepositoryReconciliation } from "../reconciliation/reconciliation-store.ts";
import { createLambdaRuntime } from "./create-lambda-runtime.ts";
import { oncePerContainer } from "./once-per-container.ts";

/** What one run did; also the function's answer. */
export type ReaperReport = MaintenanceReport;

/**
 * The reaper Lambda (EventBridge Scheduler, every few minutes): the maintenance run `serve` makes
 * too (reaper/run-maintenance.ts), plus the reconciliation with GitHub (when there are credentials
 * and the interval has passed; its conditional reads stop when GitHub's rate limit runs low, and the
 * redeliveries asked are at most `redeliveriesPerRun`) and the orphan count.
 */
export function createReaperHandler(env: NodeJS.ProcessEnv) {
  const ready = oncePerContainer(() => createLambdaRuntime(env));
  /** One per container, as one per `stackfork serve`: runs never overlap within it. */
  let reconciler: GitHubReconciler | undefined;
  /** Once per container too: it remembers when it last measured (costIntervalSeconds). */
  let costStep: ReturnType<typeof createCostStep> | undefined;
  return async (_event?: unknown): Promise<ReaperReport> => {
    const runtime = await ready();
    const { registry, queue, log, now } = runtime;
    costStep ??= createCostStep({ config: runtime.config, registry, findRepository: runtime.findRepository, log, now });
    const measureCosts = await costStep;
    const report = await runMaintenance({
      registry,
      queue,
      nameMaxLength: runtime.config.nameMaxLength,
      log,
      now,
      rewakeStalled: async (at) => (await runtime.stores.wakes?.rewakeStalled(at)) ?? 0,
      measureCosts,
      reconcile: async () => {
        reconciler ??= await runtime.createReconciler();
        if (!reconciler) return undefined;
        const { config } = runtime;
        const records = await runtime.stores.reconciliation.listRepositories();
        if (!isReconciliationDue(config.repositories, records, config.reconcileIntervalSeconds, now()))
          return undefined;
        const run = await reconciler.reconcile();
        const count = (outcome: string) => run.repositories.filter((r) => r.outcome === outcome).length;
        return {
          reconciled: count("reconciled"),
          deferred: count("deferred"),
          failed: count("failed"),
          changes: run.repositories.reduce((sum, r) => sum + r.changes.length, 0),
          redeliveries: run.redeliveries.length,
          requests: run.requests,
        };
      },
      countOrphans: async () => {
        const [orphans, resources] = await Promise.all([
          findOrphans(registry, await runtime.listStacks()),
          runtime.findCloudOrphans(),
        ]);
        if (orphans.stacks.length + orphans.environments.length + resources.length > 0) {
          log.warn({ orphans: { ...orphans, resources } }, "orphans found");
        }
        return {
          stacks: orphans.stacks.length,
          environments: orphans.environments.length,
          resources: resources.length,
        };
      },
    });
    log.info({ report }, "reaper run");
    return report;
  };
}

export const handler = createReaperHandler(process.env);

/** A minute of the scheduler's jitter: a run a little early still counts as on time. */
const SCHEDULE_SLACK_MS = 60_000;

/**
 * Due when some configured repository was never attempted, or was last attempted an interval ago
 * (0: on demand only, never from the schedule). The reaper runs more often than that, and
 * containers do not share memory: the store's records are the one clock they share.
 */
function isReconciliationDue(
  repositories: readonly RepositoryConfig[],
  records: readonly RepositoryReconciliation[],
  intervalSeconds: number,
  now: Date,
): boolean {
  if (intervalSeconds === 0 || repositories.length === 0) return false;
  const attempted = new Map(records.map((r) => [r.repository.toLowerCase(), r.lastAttemptAt]));
  return repositories.some((repository) => {
    const at = attempted.get(repository.name.toLowerCase());
    return !at || now.getTime() - Date.parse(at) >= intervalSeconds * 1000 - SCHEDULE_SLACK_MS;
  });
}
