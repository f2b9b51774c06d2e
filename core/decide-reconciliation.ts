import type { Environment } from "./environment.ts";
import { identityOf } from "./identity-of.ts";
import type { Intent } from "./intent.ts";
import { type RepositoryConfig, readEventPolicy } from "./repository-config.ts";

/** An open pull request as GitHub lists it (`GET /repos/{owner}/{repo}/pulls?state=open`). */
export interface OpenPullRequest {
  number: number;
  headRef: string;
  headSha: string;
  /** `owner/name` of the head's repository; undefined when the fork was deleted (still a fork). */
  headRepository?: string;
}

/** What GitHub says now about one repository. */
export interface GitHubRepositoryState {
  /** branch name -> head SHA, every branch of the repository */
  branches: ReadonlyMap<string, string>;
  openPullRequests: readonly OpenPullRequest[];
}

/** An environment of the repository, with what the registry and the queue know about it. */
export interface ReconciledEnvironment {
  environment: Environment;
  /** A job is queued or running: the environment is the worker's business, not ours. */
  hasPendingJob: boolean;
  /** The commit its last deploy asked for (a failed deploy leaves `commitSha` at the previous one). */
  lastRequestedSha?: string;
  /** A fork's commit waiting for approval, from history. */
  pendingApprovalSha?: string;
}

export interface ReconciliationInput {
  repository: RepositoryConfig;
  github: GitHubRepositoryState;
  /**
   * Branch heads at the last reconciliation that succeeded; undefined on the first one (a first
   * install), which deploys no branch that has no environment.
   */
  baseline?: ReadonlyMap<string, string>;
  /** Every environment of the repository, destroyed ones included (they name branches already seen). */
  environments: readonly ReconciledEnvironment[];
  /**
   * When the read of GitHub began: an environment changed after it was changed by a delivery that
   * GitHub's answer may predate, and is left alone until the next reconciliation.
   */
  readStartedAt: Date;
}

export type ReconciliationKind =
  | "branch_deleted"
  | "pull_request_closed"
  | "missed_push"
  | "fork_pushed"
  | "new_branch";

/** One thing a reconciliation does (or, in a dry run, would do), as an intent for submitIntent. */
export interface ReconciliationDecision {
  kind: ReconciliationKind;
  intent: Extract<Intent, { type: "deploy" | "destroy" | "hold" }>;
  /** The environment it is about; absent for a branch that has none yet. */
  environmentId?: string;
}

/** The reason in history, the one actor of every reconciliation. */
export const RECONCILE_ACTOR = "stackfork";

/**
 * Compares one repository on GitHub with its environments (issue 12, "Reconciliation with GitHub"):
 * what the deliveries missed while stackfork was away would have done. Pure: the caller reads
 * GitHub, the registry and the queue, and carries the decisions out through submitIntent.
 *
 * - a branch environment whose branch is gone: destroy;
 * - an environment linked to a pull request that is no longer open: what the policy does on close;
 * - `ready` or `failed` at a commit that is not its branch's head, nothing queued: deploy the head
 *   (a fork's pull request is held for approval instead, as on any fork push);
 * - a branch with no live environment that appeared or moved since the last successful
 *   reconciliation: deploy, as its push would have. The branch list carries no dates, and a commit's
 *   date says nothing about when it was pushed (a rebase, a branch made from an old commit); the
 *   baseline does.
 */
export function decideReconciliation(input: ReconciliationInput): ReconciliationDecision[] {
  const { repository, github } = input;
  const policy = readEventPolicy(repository);
  const openByNumber = new Map(input.github.openPullRequests.map((pr) => [pr.number, pr]));
  const sameRepositoryPull = (branch: string) =>
    github.openPullRequests.find((pr) => !isFork(pr, repository.name) && pr.headRef === branch);
  const decisions: ReconciliationDecision[] = [];
  const cause = (message: string) => ({ actor: RECONCILE_ACTOR, message: `reconciled: ${message}` });

  const sorted = [...input.environments].sort((a, b) => a.environment.name.localeCompare(b.environment.name));
  for (const view of sorted) {
    const { environment } = view;
    if (["destroyed", "destroying"].includes(environment.status) || environment.kind === "sandbox") continue;
    if (Date.parse(environment.updatedAt) > input.readStartedAt.getTime()) continue;
    const identity = identityOf(environment);
    const environmentId = environment.id;

    if (environment.kind === "branch") {
      const head = github.branches.get(environment.branch);
      if (head === undefined) {
        decisions.push({
          kind: "branch_deleted",
          environmentId,
          intent: { type: "destroy", identity, cause: cause("branch deleted") },
        });
        continue;
      }
      const linked = environment.pullRequest;
      const openPull = sameRepositoryPull(environment.branch);
      if (linked !== undefined && !openByNumber.has(linked) && !openPull) {
        if (!policy.keepBranchEnvironmentOnClose)
          decisions.push({
            kind: "pull_request_closed",
            environmentId,
            intent: { type: "destroy", identity, cause: cause(`pull request #${linked} closed`) },
          });
        continue;
      }
      if (isSettledBehind(view, head)) {
        decisions.push({
          kind: "missed_push",
          environmentId,
          intent: {
            type: "deploy",
            identity,
            commitSha: head,
            ...(openPull && openPull.number !== linked ? { pullRequest: openPull.number } : {}),
            cause: cause("missed push"),
          },
        });
      }
      continue;
    }

    // A fork's pull request (kind `pull_request`).
    if (identity.kind !== "pull_request") continue;
    const pull = openByNumber.get(identity.pullRequest);
    if (!pull) {
      decisions.push({
        kind: "pull_request_closed",
        environmentId,
        intent: { type: "destroy", identity, cause: cause(`pull request #${identity.pullRequest} closed`) },
      });
      continue;
    }
    const waiting = environment.status === "awaiting_approval" && !view.hasPendingJob;
    if (isSettledBehind(view, pull.headSha) || (waiting && view.pendingApprovalSha !== pull.headSha)) {
      decisions.push({
        kind: "fork_pushed",
        environmentId,
        intent: {
          type: "hold",
          identity,
          commitSha: pull.headSha,
          keepApproval: !policy.reapproveForkPushes,
          cause: cause(`missed push to fork pull request #${pull.number} at ${pull.headSha.slice(0, 7)}`),
        },
      });
    }
  }

  if (input.baseline) {
    const live = new Set(
      input.environments
        .filter((v) => v.environment.kind === "branch" && v.environment.status !== "destroyed")
        .map((v) => v.environment.branch),
    );
    const names = [...github.branches.keys()].sort();
    for (const branch of names) {
      const head = github.branches.get(branch) as string;
      if (branch === repository.defaultBranch || live.has(branch) || input.baseline.get(branch) === head) continue;
      const pull = sameRepositoryPull(branch);
      decisions.push({
        kind: "new_branch",
        intent: {
          type: "deploy",
          identity: { kind: "branch", repository: repository.name, branch },
          commitSha: head,
          ...(pull && policy.pullRequestEnvironments ? { pullRequest: pull.number } : {}),
          cause: cause(input.baseline.has(branch) ? "missed push" : "new branch"),
        },
      });
    }
  }
  return decisions;
}

/** Settled (ready or failed, nothing queued) at a commit that is not `head`. */
function isSettledBehind(view: ReconciledEnvironment, head: string): boolean {
  const { environment } = view;
  if (view.hasPendingJob || !["ready", "failed"].includes(environment.status)) return false;
  const at = environment.status === "failed" ? (view.lastRequestedSha ?? environment.commitSha) : environment.commitSha;
  return at !== head;
}

function isFork(pull: OpenPullRequest, repository: string): boolean {
  return pull.headRepository?.toLowerCase() !== repository.toLowerCase();
}
