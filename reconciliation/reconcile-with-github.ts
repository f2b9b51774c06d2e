import {
  decideReconciliation,
  type ReconciledEnvironment,
  type ReconciliationDecision,
} from "../core/decide-reconciliation.ts";
import { isStackforkError, StackforkError } from "../core/errors.ts";
import { findPendingApproval } from "../core/find-pending-approval.ts";
import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { GitHubClient } from "../github/create-github-client.ts";
import type { WebhookHook } from "../github/hook-deliveries.ts";
import type { RateLimitState, RequestCount } from "../github/read-list-conditionally.ts";
import { readRepositoryState } from "../github/read-repository-state.ts";
import { type SubmitIntentDeps, submitIntent } from "../intake/submit-intent.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { ReconciliationChange, ReconciliationStore, RepositoryReconciliation } from "./reconciliation-store.ts";
import { type RedeliveryReport, redeliverMissedDeliveries } from "./redeliver-missed-deliveries.ts";

export interface ReconcileWithGitHubDeps extends SubmitIntentDeps {
  github: GitHubClient;
  store: ReconciliationStore;
  repositories: readonly RepositoryConfig[];
  log: Logger;
  now: () => Date;
  /** Redeliveries of missed deliveries asked per run, at most. @default 20 */
  redeliveriesPerRun?: number;
  /**
   * Below this many requests left in GitHub's rate-limit window, no further repository is read
   * this run; they come first next time, once the window has reset.
   * @default 100
   */
  minRateLimitRemaining?: number;
  /** Page size of the list reads. @default 100 (GitHub's largest) */
  perPage?: number;
}

export interface ReconcileOptions {
  /** Decide and report; change nothing, record nothing. */
  dryRun?: boolean;
  /** Only this configured repository (its repository webhook's deliveries too, not the App's). */
  repository?: string;
}

export interface RepositoryReport {
  repository: string;
  /**
   * `reconciled`: read and compared, every decision carried out; `deferred`: not read (a rate limit:
   * `resumeAt`); `failed`: `error` says why; nothing was decided on a partial read.
   */
  outcome: "reconciled" | "deferred" | "failed";
  /** Every list answered 304. */
  unchanged: boolean;
  changes: ReconciliationChange[];
  requests: RequestCount;
  resumeAt?: string;
  error?: { code: string; message: string };
}

export interface ReconciliationReport {
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  repositories: RepositoryReport[];
  redeliveries: RedeliveryReport[];
  /** Requests sent to GitHub by this run, and how many were answered 304. */
  requests: RequestCount;
  rateLimit: { remaining?: number; resetAt?: string };
}

/** History read per environment to find the commit of its last deploy request or pending approval. */
const HISTORY_LIMIT = 50;

/**
 * Reconciliation with GitHub (issue 12): per configured repository, its branches and open pull
 * requests (conditional reads: an unchanged repository costs 304s) against its environments;
 * every decision (core/decide-reconciliation.ts) goes through submitIntent with actor `stackfork`
 * and its reason in history. Then the missed webhook deliveries are asked again. Repositories are
 * taken least recently reconciled first, so that one deferred by a rate limit comes first next time.
 */
export async function reconcileWithGitHub(
  deps: ReconcileWithGitHubDeps,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport> {
  const dryRun = options.dryRun === true;
  const startedAt = deps.now();
  const rateLimit: RateLimitState = {};
  const total: RequestCount = { sent: 0, notModified: 0 };
  const minRemaining = deps.minRateLimitRemaining ?? 100;

  const selected = selectRepositories(deps.repositories, options.repository);
  const records = new Map<string, RepositoryReconciliation | undefined>();
  for (const repository of selected) records.set(repository.name, await deps.store.getRepository(repository.name));
  const ordered = [...selected].sort(
    (a, b) => (records.get(a.name)?.lastAttemptAt ?? "").localeCompare(records.get(b.name)?.lastAttemptAt ?? "") || 0,
  );
  const pending = new Set((await deps.queue.listPending()).map((job) => job.environmentId));

  const reports: RepositoryReport[] = [];
  let limitedUntil: string | undefined;
  for (const repository of ordered) {
    const record = records.get(repository.name) ?? emptyRecord(repository.name);
    const count: RequestCount = { sent: 0, notModified: 0 };
    const report: RepositoryReport = {
      repository: repository.name,
      outcome: "reconciled",
      unchanged: false,
      changes: [],
      requests: count,
    };
    reports.push(report);
    const now = deps.now();
    const lowOnRequests = rateLimit.remaining !== undefined && rateLimit.remaining < minRemaining;
    const recordWait =
      record.backoffUntil && Date.parse(record.backoffUntil) > now.getTime() ? record.backoffUntil : undefined;
    const runWait = limitedUntil ?? (lowOnRequests ? (rateLimit.resetAt ?? now).toISOString() : undefined);
    const waiting = recordWait ?? runWait;
    if (waiting) {
      report.outcome = "deferred";
      report.resumeAt = waiting;
      report.error = { code: "GITHUB_RATE_LIMITED", message: "GitHub's rate limit: resumed once it resets" };
      if (!dryRun && runWait) await deps.store.saveRepository({ ...record, backoffUntil: runWait });
      continue;
    }

    const readStartedAt = deps.now();
    try {
      const octokit = await deps.github.forRepository(repository.name);
      const read = await readRepositoryState({
        octokit,
        repository: repository.name,
        cached: record,
        rateLimit,
        count,
        perPage: deps.perPage,
      });
      report.unchanged = read.unchanged;
      const environments = await readEnvironments(deps, repository.name, pending);
      const decisions = decideReconciliation({
        repository,
        github: read.state,
        baseline: record.baseline ? new Map(Object.entries(record.baseline)) : undefined,
        environments,
        readStartedAt,
      });
      if (dryRun) {
        report.changes = decisions.map((d) => describeDecision(d));
        continue;
      }
      for (const decision of decisions) {
        const result = await submitIntent(deps, decision.intent, deps.now());
        report.changes.push({
          ...describeDecision(decision),
          outcome: result.outcome,
          environment: result.environment?.id,
        });
      }
      const finishedAt = deps.now().toISOString();
      const changed = report.changes.filter((c) => c.outcome !== "ignored");
      await deps.store.saveRepository({
        repository: repository.name,
        lastAttemptAt: finishedAt,
        lastSuccessAt: finishedAt,
        lastChangedAt: changed.length > 0 ? finishedAt : record.lastChangedAt,
        lastChanges: changed.length > 0 ? changed : record.lastChanges,
        baseline: Object.fromEntries(read.state.branches),
        branchPages: read.branchPages,
        pullPages: read.pullPages,
      });
      if (changed.length > 0)
        deps.log.info({ repository: repository.name, changes: changed }, "reconciled with GitHub: out of step, fixed");
    } catch (err) {
      const error = isStackforkError(err)
        ? err
        : new StackforkError("GITHUB_UNAVAILABLE", `${repository.name}: ${(err as Error).message}`, { cause: err });
      const retryAt = error.code === "GITHUB_RATE_LIMITED" ? String(error.details?.retryAt ?? "") : "";
      report.outcome = retryAt ? "deferred" : "failed";
      report.error = { code: error.code, message: error.message };
      if (retryAt) {
        report.resumeAt = retryAt;
        limitedUntil = retryAt; // every later repository waits too: the limit is the credential's
      }
      deps.log.warn({ err: error, repository: repository.name }, "reconciliation with GitHub failed for a repository");
      if (!dryRun)
        await deps.store.saveRepository({
          ...record,
          lastAttemptAt: deps.now().toISOString(),
          lastError: report.error,
          ...(retryAt ? { backoffUntil: retryAt } : {}),
        });
    } finally {
      total.sent += count.sent;
      total.notModified += count.notModified;
    }
  }

  let redeliveries: RedeliveryReport[] = [];
  if (!limitedUntil) {
    const hooks = await listHooks(deps, selected, options.repository === undefined);
    const redelivered = await redeliverMissedDeliveries(deps, {
      hooks,
      maxRequests: deps.redeliveriesPerRun ?? 20,
      dryRun,
    }).catch((err: unknown) => {
      deps.log.warn({ err }, "checking webhook deliveries failed");
      return { redeliveries: [], requests: 0 };
    });
    redeliveries = redelivered.redeliveries;
    total.sent += redelivered.requests;
  }

  return {
    dryRun,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.now().toISOString(),
    repositories: reports.sort((a, b) => a.repository.localeCompare(b.repository)),
    redeliveries,
    requests: total,
    rateLimit: { remaining: rateLimit.remaining, resetAt: rateLimit.resetAt?.toISOString() },
  };
}

function selectRepositories(repositories: readonly RepositoryConfig[], name?: string): RepositoryConfig[] {
  if (name === undefined) return [...repositories];
  const found = repositories.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new StackforkError("REPOSITORY_NOT_CONFIGURED", `repository ${name} is not configured`);
  return [found];
}

function emptyRecord(repository: string): RepositoryReconciliation {
  return { repository, lastChanges: [], branchPages: [], pullPages: [] };
}

/** The repository's environments, with what their jobs and history say. */
async function readEnvironments(
  deps: ReconcileWithGitHubDeps,
  repository: string,
  pending: ReadonlySet<string>,
): Promise<ReconciledEnvironment[]> {
  const views: ReconciledEnvironment[] = [];
  for await (const environment of eachEnvironment(deps.registry, { repository, includeDestroyed: true })) {
    const view: ReconciledEnvironment = { environment, hasPendingJob: pending.has(environment.id) };
    if (environment.status === "failed" || environment.status === "awaiting_approval") {
      const events = await deps.registry.listEvents(environment.id, { limit: HISTORY_LIMIT });
      view.lastRequestedSha = events.findLast((e) => e.type === "deploy_requested")?.commitSha;
      view.pendingApprovalSha = findPendingApproval(events)?.commitSha;
    }
    views.push(view);
  }
  return views;
}

async function listHooks(
  deps: ReconcileWithGitHubDeps,
  repositories: readonly RepositoryConfig[],
  withApp: boolean,
): Promise<WebhookHook[]> {
  const hooks: WebhookHook[] = [];
  if (withApp && deps.github.app) hooks.push({ kind: "app", octokit: deps.github.app });
  for (const repository of repositories) {
    if (repository.webhookHookId === undefined) continue;
    const octokit = await deps.github.forRepository(repository.name);
    hooks.push({ kind: "repository", octokit, repository: repository.name, hookId: repository.webhookHookId });
  }
  return hooks;
}

export function describeDecision(decision: ReconciliationDecision): ReconciliationChange {
  const { intent } = decision;
  const identity = intent.identity;
  return {
    kind: decision.kind,
    action: intent.type,
    ...(decision.environmentId ? { environment: decision.environmentId } : {}),
    branch: identity.branch,
    ...(identity.kind === "pull_request"
      ? { pullRequest: identity.pullRequest }
      : intent.type === "deploy" && intent.pullRequest !== undefined
        ? { pullRequest: intent.pullRequest }
        : {}),
    ...(intent.type !== "destroy" && intent.commitSha ? { commitSha: intent.commitSha } : {}),
    reason: intent.cause.message,
  };
}
