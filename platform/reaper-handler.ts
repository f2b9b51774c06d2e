import type { RepositoryConfig } from "../core/config.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import type { RepositoryReconciliation } from "../reconciliation/reconciliation-store.ts";
import { findOrphans } from "../worker/find-orphans.ts";
import { reapExpiredEnvironments } from "../worker/reap-expired-environments.ts";
import { repairUnqueuedEnvironments } from "../worker/repair-unqueued-environments.ts";
import { createLambdaRuntime } from "./create-lambda-runtime.ts";
import { oncePerContainer } from "./once-per-container.ts";

/** What one run did; also the function's answer, visible in the Scheduler's and Lambda's logs. */
export interface ReaperReport {
  expired: string[];
  /** Environments left with no job (queued, deploying, destroying), queued again. */
  repaired: string[];
  rewoken: number;
  orphans: { stacks: number; environments: number; resources: number };
  /**
   * With GitHub credentials, when `reconcileIntervalSeconds` has passed: what the reconciliation did
   * (repositories by outcome, decisions carried out, redeliveries asked). Absent when it did not run.
   */
  reconciled?: {
    reconciled: number;
    deferred: number;
    failed: number;
    changes: number;
    redeliveries: number;
    requests: { sent: number; notModified: number };
  };
  /** Steps that failed; the others still ran. */
  errors: { step: string; code: string; message: string }[];
}

/**
 * The reaper Lambda (EventBridge Scheduler, every few minutes): destroy what expired, wake again the
 * pending jobs whose wake was lost (no live lease), reconcile with GitHub (when there are credentials
 * and the interval has passed), report orphans. One bounded run: each step is a few queries (the
 * reconciliation's conditional reads stop when GitHub's rate limit runs low, and the redeliveries
 * asked are at most `redeliveriesPerRun`), and a step that fails does not keep the others from running.
 */
export function createReaperHandler(env: NodeJS.ProcessEnv) {
  const ready = oncePerContainer(() => createLambdaRuntime(env));
  /** One per container, as one per `stackfork serve`: runs never overlap within it. */
  let reconciler: GitHubReconciler | undefined;
  return async (_event?: unknown): Promise<ReaperReport> => {
    const runtime = await ready();
    const { registry, queue, log, now } = runtime;
    const report: ReaperReport = {
      expired: [],
      repaired: [],
      rewoken: 0,
      orphans: { stacks: 0, environments: 0, resources: 0 },
      errors: [],
    };
    const step = async (name: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (err) {
        const e = err as { code?: string; message?: string };
        report.errors.push({ step: name, code: e.code ?? "INTERNAL", message: e.message ?? String(err) });
        log.error({ err, step: name }, "reaper step failed");
      }
    };
    await step("expiry", async () => {
      report.expired = await reapExpiredEnvironments({
        registry,
        queue,
        nameMaxLength: runtime.config.nameMaxLength,
        log,
        now,
      });
    });
    await step("repair", async () => {
      report.repaired = await repairUnqueuedEnvironments({ registry, queue, log, now });
    });
    await step("rewake", async () => {
      report.rewoken = (await runtime.stores.wakes?.rewakeStalled(now())) ?? 0;
    });
    await step("reconcile", async () => {
      reconciler ??= await runtime.createReconciler();
      if (!reconciler) return;
      const { config } = runtime;
      const records = await runtime.stores.reconciliation.listRepositories();
      if (!isReconciliationDue(config.repositories, records, config.reconcileIntervalSeconds, now())) return;
      const run = await reconciler.reconcile();
      const count = (outcome: string) => run.repositories.filter((r) => r.outcome === outcome).length;
      report.reconciled = {
        reconciled: count("reconciled"),
        deferred: count("deferred"),
        failed: count("failed"),
        changes: run.repositories.reduce((sum, r) => sum + r.changes.length, 0),
        redeliveries: run.redeliveries.length,
        requests: run.requests,
      };
    });
    await step("orphans", async () => {
      const [orphans, resources] = await Promise.all([
        findOrphans(registry, await runtime.listStacks()),
        runtime.findCloudOrphans(),
      ]);
      report.orphans = {
        stacks: orphans.stacks.length,
        environments: orphans.environments.length,
        resources: resources.length,
      };
      if (orphans.stacks.length + orphans.environments.length + resources.length > 0) {
        log.warn({ orphans: { ...orphans, resources } }, "orphans found");
      }
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
