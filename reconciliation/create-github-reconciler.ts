import { eachEnvironment } from "../registry/each-environment.ts";
import {
  type ReconcileOptions,
  type ReconcileWithGitHubDeps,
  type ReconciliationReport,
  reconcileWithGitHub,
} from "./reconcile-with-github.ts";
import type { ReconciliationChange, RedeliveryRequest } from "./reconciliation-store.ts";

/** One repository's last reconciliation, as the dashboard and the API show it. */
export interface RepositoryReconciliationSummary {
  repository: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastChangedAt?: string;
  lastChanges: ReconciliationChange[];
  lastError?: { code: string; message: string };
  backoffUntil?: string;
}

/** An environment at a commit that is not its branch's head, as the last reconciliation saw the head. */
export interface BehindEnvironment {
  environment: string;
  commitSha?: string;
  headSha: string;
  /** When the head was read (the repository's last successful reconciliation). */
  seenAt?: string;
}

export interface ReconciliationStatus {
  repositories: RepositoryReconciliationSummary[];
  behind: BehindEnvironment[];
  redeliveries: (RedeliveryRequest & { hook: string })[];
}

export interface GitHubReconciler {
  /** One run at a time: a run asked for while one is going waits for it, then runs. */
  reconcile(options?: ReconcileOptions): Promise<ReconciliationReport>;
  /** With `behind: false`, no sweep of the environments (the dashboard's list shows repositories only). */
  readStatus(options?: { behind?: boolean }): Promise<ReconciliationStatus>;
}

/** Redeliveries shown, newest first. */
const REDELIVERIES_SHOWN = 20;

/** The scheduled sweep, the API and the CLI share one reconciler per process. */
export function createGitHubReconciler(deps: ReconcileWithGitHubDeps): GitHubReconciler {
  let last: Promise<unknown> = Promise.resolve();
  return {
    reconcile(options = {}) {
      const run = last.then(
        () => reconcileWithGitHub(deps, options),
        () => reconcileWithGitHub(deps, options),
      );
      last = run.catch(() => undefined);
      return run;
    },
    async readStatus(options = {}) {
      const records = await deps.store.listRepositories();
      const heads = new Map(
        records.map((r) => [
          r.repository.toLowerCase(),
          {
            branches: new Map(r.branchPages.flatMap((p) => p.items).map((b) => [b.name, b.sha])),
            pulls: new Map(r.pullPages.flatMap((p) => p.items).map((pr) => [pr.number, pr.headSha])),
            seenAt: r.lastSuccessAt,
          },
        ]),
      );
      const behind: BehindEnvironment[] = [];
      for await (const environment of options.behind === false ? [] : eachEnvironment(deps.registry)) {
        const known = heads.get(environment.repository.toLowerCase());
        if (!known || !["ready", "failed", "queued", "deploying"].includes(environment.status)) continue;
        const headSha =
          environment.kind === "branch"
            ? known.branches.get(environment.branch)
            : environment.kind === "pull_request"
              ? known.pulls.get(environment.pullRequest ?? 0)
              : undefined;
        if (headSha && environment.commitSha !== headSha)
          behind.push({ environment: environment.id, commitSha: environment.commitSha, headSha, seenAt: known.seenAt });
      }
      const checks = await deps.store.listDeliveryChecks();
      const redeliveries = checks
        .flatMap((c) => c.requested.map((r) => ({ ...r, hook: c.hook })))
        .sort((a, b) => b.askedAt.localeCompare(a.askedAt))
        .slice(0, REDELIVERIES_SHOWN);
      return {
        repositories: records.map(({ branchPages: _b, pullPages: _p, baseline: _base, ...summary }) => summary),
        behind,
        redeliveries,
      };
    },
  };
}
