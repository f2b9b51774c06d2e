import path from "node:path";
import type { StackforkConfig } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import type { GitHubClient } from "../github/create-github-client.ts";
import type { Notifier } from "../github/notifier.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { createGitHubReconciler, type GitHubReconciler } from "../worker/create-github-reconciler.ts";
import { createSqliteReconciliationStore } from "../worker/sqlite-reconciliation-store.ts";
import { type PeriodicTask, runPeriodically } from "./run-periodically.ts";

export interface EmbeddedReconciliation {
  reconciler: GitHubReconciler;
  /** Runs it now and every `reconcileIntervalSeconds` (none when 0: on demand only). */
  schedule(): PeriodicTask | undefined;
  close(): Promise<void>;
}

/**
 * `stackfork serve`'s reconciliation with GitHub: the reconciler behind `POST /api/reconcile` and
 * the scheduled sweep, its store a SQLite file of its own in the data dir. Undefined offline: with
 * no GitHub credentials there is nothing to reconcile with.
 */
export function createEmbeddedReconciliation(deps: {
  config: StackforkConfig;
  github: GitHubClient | undefined;
  registry: Registry;
  queue: JobQueue;
  notifier: Notifier;
  log: Logger;
  wakeWorker: () => void;
}): EmbeddedReconciliation | undefined {
  const { config, github } = deps;
  if (!github) return undefined;
  const store = createSqliteReconciliationStore({ file: path.join(config.dataDir, "reconciliation.db") });
  const log = deps.log.child({ component: "reconcile" });
  const reconciler = createGitHubReconciler({
    registry: deps.registry,
    queue: deps.queue,
    nameMaxLength: config.nameMaxLength,
    wakeWorker: deps.wakeWorker,
    notifier: deps.notifier,
    github,
    store,
    repositories: config.repositories,
    redeliveriesPerRun: config.redeliveriesPerRun,
    log,
    now: () => new Date(),
  });
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
      await store.close();
    },
  };
}
