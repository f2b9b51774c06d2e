import type { StackforkConfig } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import { type PeriodicTask, runPeriodically } from "./run-periodically.ts";

export interface EmbeddedReconciliation {
  reconciler: GitHubReconciler;
  /** Runs it now and every `reconcileIntervalSeconds` (none when 0: on demand only). */
  schedule(): PeriodicTask | undefined;
  /** Stops the schedule; the store is the stores' (openStores), closed with them. */
  close(): Promise<void>;
}

/**
 * `stackfork serve`'s reconciliation with GitHub: the reconciler behind `POST /api/reconcile` and
 * the scheduled sweep (assembleStackfork's, on the store of STACKFORK_STORE). Undefined offline:
 * with no GitHub credentials there is nothing to reconcile with.
 */
export function createEmbeddedReconciliation(deps: {
  config: StackforkConfig;
  reconciler: GitHubReconciler | undefined;
  log: Logger;
}): EmbeddedReconciliation | undefined {
  const { config, reconciler } = deps;
  if (!reconciler) return undefined;
  const log = deps.log.child({ component: "reconcile" });
  let task: PeriodicTask | undefined;
  return {
    reconciler,
    schedule() {
      if (config.reconcileIntervalSeconds === 0) return undefined;
      task = runPeriodically(
        () => reconciler.reconcile(),
        config.reconcileIntervalSeconds * 1000,
        (err) => log.error({ err }, "reconciliation with GitHub failed"),
      );
      return task;
    },
    async close() {
      await task?.stop();
    },
  };
}
