import { describe, expect, it } from "vitest";
import {
  decideReconciliation,
  type OpenPullRequest,
  type ReconciledEnvironment,
  type ReconciliationInput,
} from "./decide-reconciliation.ts";
import type { Environment, EnvironmentStatus } from "./environment.ts";
import type { RepositoryConfig } from "./repository-config.ts";

const REPO = "acme/api";
const sha = (c: string) => c.repeat(40);
const readStartedAt = new Date("2026-11-27T12:00:00.000Z");
const before = "2026-11-27T11:00:00.000Z";
const repository: RepositoryConfig = {
  name: REPO,
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};

function env(
  branch: string,
  status: EnvironmentStatus,
  extra: Partial<Environment> = {},
  view: Partial<ReconciledEnvironment> = {},
): ReconciledEnvironment {
  return {
    environment: {
      id: `api-${branch}`,
      name: `api-${branch}`,
      kind: "branch",
      repository: REPO,
      branch,
      status,
      commitSha: sha("a"),
      createdAt: before,
      updatedAt: before,
      ...extra,
    },
    hasPendingJob: false,
    ...view,
  };
}

function decide(
  input: Partial<ReconciliationInput> & { branches?: Record<string, string>; pulls?: OpenPullRequest[] },
) {
  return decideReconciliation({
    repository: input.repository ?? repository,
    github: {
      branches: new Map(Object.entries(input.branches ?? {})),
      openPullRequests: input.pulls ?? [],
    },
    baseline: input.baseline,
    environments: input.environments ?? [],
    readStartedAt,
  }).map((d) => ({
    kind: d.kind,
    type: d.intent.type,
    environmentId: d.environmentId,
    branch: d.intent.identity.branch,
    commitSha: "commitSha" in d.intent ? d.intent.commitSha : undefined,
    pullRequest: "pullRequest" in d.intent ? d.intent.pullRequest : undefined,
    actor: d.intent.cause.actor,
    message: d.intent.cause.message,
  }));
}

describe("decideReconciliation", () => {
  it("destroys a branch environment whose branch is gone, with the reason of the issue", () => {
    const decisions = decide({ branches: { main: sha("0") }, environments: [env("gone", "ready")] });
    expect(decisions).toEqual([
      expect.objectContaining({
        kind: "branch_deleted",
        type: "destroy",
        environmentId: "api-gone",
        actor: "stackfork",
        message: "reconciled: branch deleted",
      }),
    ]);
  });

  it("leaves destroyed, destroying and sandbox environments alone, and any changed since the read began", () => {
    const sandbox = env("gone", "ready", { kind: "sandbox", owner: "octocat", id: "api-sandbox", name: "api-sandbox" });
    const decisions = decide({
      branches: {},
      environments: [
        env("a", "destroyed"),
        env("b", "destroying"),
        sandbox,
        env("c", "ready", { updatedAt: "2026-11-27T12:00:00.001Z" }),
      ],
    });
    expect(decisions).toEqual([]);
  });

  it("deploys the head of a branch whose ready or failed environment is behind, unless a job is pending", () => {
    const decisions = decide({
      branches: { ready: sha("b"), failed: sha("b"), busy: sha("b"), deploying: sha("b"), current: sha("a") },
      environments: [
        env("ready", "ready"),
        env("failed", "failed"),
        env("busy", "ready", {}, { hasPendingJob: true }),
        env("deploying", "deploying"),
        env("current", "ready"),
      ],
    });
    expect(decisions).toEqual([
      expect.objectContaining({
        kind: "missed_push",
        type: "deploy",
        environmentId: "api-failed",
        commitSha: sha("b"),
      }),
      expect.objectContaining({
        kind: "missed_push",
        type: "deploy",
        environmentId: "api-ready",
        commitSha: sha("b"),
        message: "reconciled: missed push",
      }),
    ]);
  });

  it("does not retry a failed environment whose last deploy asked for the head already", () => {
    const failed = env("f", "failed", { commitSha: sha("a") }, { lastRequestedSha: sha("b") });
    expect(decide({ branches: { f: sha("b") }, environments: [failed] })).toEqual([]);
  });

  it("does on a closed pull request what the policy does on close", () => {
    const linked = env("feature", "ready", { pullRequest: 7 });
    expect(decide({ branches: { feature: sha("a") }, environments: [linked] })).toEqual([
      expect.objectContaining({
        kind: "pull_request_closed",
        type: "destroy",
        message: "reconciled: pull request #7 closed",
      }),
    ]);
    const kept = { ...repository, keepBranchEnvironmentOnClose: true };
    expect(decide({ repository: kept, branches: { feature: sha("a") }, environments: [linked] })).toEqual([]);
    // Another open pull request of the same branch keeps it.
    const reopened = [{ number: 9, headRef: "feature", headSha: sha("a"), headRepository: REPO }];
    expect(decide({ branches: { feature: sha("a") }, pulls: reopened, environments: [linked] })).toEqual([]);
  });

  it("destroys a fork's environment whose pull request closed; holds it when the fork was pushed", () => {
    const fork = (number: number, status: EnvironmentStatus, view: Partial<ReconciledEnvironment> = {}) =>
      env(
        `fork-${number}`,
        status,
        { kind: "pull_request", pullRequest: number, id: `api-pr-${number}`, name: `api-pr-${number}` },
        view,
      );
    const pulls = [
      { number: 2, headRef: "patch", headSha: sha("c"), headRepository: "someone/api" },
      { number: 3, headRef: "patch", headSha: sha("c") }, // a deleted fork
      { number: 4, headRef: "patch", headSha: sha("c"), headRepository: "someone/api" },
    ];
    const decisions = decide({
      branches: {},
      pulls,
      environments: [
        fork(1, "ready"),
        fork(2, "ready"),
        fork(3, "awaiting_approval", { pendingApprovalSha: sha("b") }),
        fork(4, "awaiting_approval", { pendingApprovalSha: sha("c") }),
      ],
    });
    expect(decisions).toEqual([
      expect.objectContaining({ kind: "pull_request_closed", type: "destroy", environmentId: "api-pr-1" }),
      expect.objectContaining({ kind: "fork_pushed", type: "hold", environmentId: "api-pr-2", commitSha: sha("c") }),
      expect.objectContaining({ kind: "fork_pushed", type: "hold", environmentId: "api-pr-3", commitSha: sha("c") }),
    ]);
  });

  it("deploys a branch with no environment only when it appeared or moved since the last success", () => {
    const branches = { main: sha("0"), old: sha("a"), moved: sha("b"), fresh: sha("c"), gone: sha("d") };
    // A first install: hundreds of old branches, none deployed.
    expect(decide({ branches })).toEqual([]);
    const baseline = new Map([
      ["main", sha("9")],
      ["old", sha("a")],
      ["moved", sha("a")],
      ["gone", sha("d")],
    ]);
    const decisions = decide({ branches, baseline, environments: [env("gone", "destroyed", { commitSha: sha("d") })] });
    expect(decisions).toEqual([
      expect.objectContaining({
        kind: "new_branch",
        type: "deploy",
        branch: "fresh",
        commitSha: sha("c"),
        message: "reconciled: new branch",
      }),
      expect.objectContaining({
        kind: "new_branch",
        type: "deploy",
        branch: "moved",
        message: "reconciled: missed push",
      }),
    ]);
  });

  it("links a new branch's deploy to its open pull request", () => {
    const decisions = decide({
      branches: { fresh: sha("c") },
      baseline: new Map(),
      pulls: [{ number: 5, headRef: "fresh", headSha: sha("c"), headRepository: REPO }],
    });
    expect(decisions).toEqual([expect.objectContaining({ branch: "fresh", pullRequest: 5 })]);
  });
});
