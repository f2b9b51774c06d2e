import { describe, expect, it } from "vitest";
import { commentPayload, examplePayload, pullRequestPayload, pushPayload } from "../test/support/webhook-deliveries.ts";
import { loadConfig } from "./config.ts";
import { errorCatalogue } from "./errors.ts";
import { decideIntents, type PolicyDecision } from "./event-policy.ts";
import { defaultEventPolicy, type RepositoryConfig } from "./repository-config.ts";

const repo: RepositoryConfig = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};
const SHA = "a".repeat(40);
const decideWith = (config: RepositoryConfig) => (name: string, payload: unknown) =>
  decideIntents({ name, deliveryId: "d-1", payload }, (n) => (n.toLowerCase() === "acme/api" ? config : undefined));
const decide = decideWith(repo);
const ignoredCode = (decision: PolicyDecision) => ("ignored" in decision ? decision.code : undefined);
const pr = (action: string, extra: Partial<Parameters<typeof pullRequestPayload>[1]> = {}) =>
  pullRequestPayload("acme/api", { action, number: 7, headRef: "feature/pr", headSha: SHA, ...extra });
const comment = (body: string, extra: Partial<Parameters<typeof commentPayload>[1]> = {}) =>
  commentPayload("acme/api", { number: 7, body, createdAt: "2026-11-27T12:00:00Z", ...extra });

describe("event policy for branches", () => {
  it("deploys a pushed branch at its head SHA, with who and why", () => {
    expect(decide("push", pushPayload("acme/api", "feature/x", SHA))).toEqual({
      intents: [
        {
          type: "deploy",
          identity: { kind: "branch", repository: "acme/api", branch: "feature/x" },
          commitSha: SHA,
          cause: { actor: "Codertocat", via: "github", deliveryId: "d-1", message: "push to feature/x" },
        },
      ],
    });
  });

  it("destroys on delete and on a push that deletes", () => {
    const del = {
      ...examplePayload("delete"),
      ref: "feature/x",
      ref_type: "branch",
      repository: { full_name: "acme/api" },
    };
    expect(decide("delete", del)).toMatchObject({ intents: [{ type: "destroy" }] });
    expect(decide("push", pushPayload("acme/api", "feature/x", SHA, { deleted: true }))).toMatchObject({
      intents: [{ type: "destroy" }],
    });
  });

  it("deploys a created branch at its head, resolved later", () => {
    const created = {
      ...examplePayload("create"),
      ref: "feature/y",
      ref_type: "branch",
      repository: { full_name: "acme/api" },
    };
    const decision = decide("create", created);
    expect(decision).toMatchObject({ intents: [{ type: "deploy", identity: { branch: "feature/y" } }] });
    expect(
      "intents" in decision && decision.intents[0]?.type === "deploy" && decision.intents[0].commitSha,
    ).toBeFalsy();
  });

  it("ignores, with a catalogued code, what is not a preview", () => {
    const cases: [string, unknown, string][] = [
      ["push", examplePayload("push", 0), "REPOSITORY_NOT_CONFIGURED"],
      ["push", { ...pushPayload("acme/api", "x", SHA), ref: "refs/tags/v1" }, "NOT_A_BRANCH"],
      ["push", pushPayload("acme/api", "main", SHA), "DEFAULT_BRANCH"],
      ["push", pushPayload("other/repo", "feature", SHA), "REPOSITORY_NOT_CONFIGURED"],
      ["create", { ...examplePayload("create"), repository: { full_name: "acme/api" } }, "NOT_A_BRANCH"],
      ["push", { ...pushPayload("acme/api", "x", SHA), after: "not-a-sha" }, "PAYLOAD_INCOMPLETE"],
      ["ping", examplePayload("ping"), "PING"],
      ["issues", {}, "EVENT_NOT_HANDLED"],
      ["push", { nothing: true }, "PAYLOAD_INCOMPLETE"],
    ];
    for (const [name, payload, code] of cases) {
      const decision = decide(name, payload);
      expect(ignoredCode(decision), `${name}: ${JSON.stringify(decision)}`).toBe(code);
      expect(errorCatalogue).toHaveProperty(code);
    }
  });
});

describe("event policy for pull requests from the repository itself", () => {
  it("deploys the head branch at the head SHA and links it, for every deploying action, drafts too", () => {
    for (const action of ["opened", "reopened", "synchronize", "ready_for_review"]) {
      expect(decide("pull_request", pr(action, { draft: action === "opened" }))).toEqual({
        intents: [
          {
            type: "deploy",
            identity: { kind: "branch", repository: "acme/api", branch: "feature/pr" },
            commitSha: SHA,
            pullRequest: 7,
            cause: { actor: "Codertocat", via: "github", deliveryId: "d-1", message: `pull request #7 ${action}` },
          },
        ],
      });
    }
  });

  it("leaves drafts alone when the repository says so, until ready for review", () => {
    const noDrafts = decideWith({ ...repo, deployDraftPullRequests: false });
    expect(ignoredCode(noDrafts("pull_request", pr("opened", { draft: true })))).toBe("DRAFT_PULL_REQUEST");
    expect(noDrafts("pull_request", pr("ready_for_review"))).toMatchObject({ intents: [{ type: "deploy" }] });
  });

  it("destroys the branch environment on close, unless the repository keeps it", () => {
    expect(decide("pull_request", pr("closed"))).toMatchObject({
      intents: [{ type: "destroy", identity: { kind: "branch", branch: "feature/pr" } }],
    });
    const keep = decideWith({ ...repo, keepBranchEnvironmentOnClose: true });
    expect(ignoredCode(keep("pull_request", pr("closed")))).toBe("BRANCH_KEPT");
  });

  it("ignores other actions, the default branch as head, approval labels, and everything when turned off", () => {
    expect(ignoredCode(decide("pull_request", pr("assigned")))).toBe("ACTION_NOT_HANDLED");
    expect(ignoredCode(decide("pull_request", pr("opened", { headRef: "main" })))).toBe("DEFAULT_BRANCH");
    expect(ignoredCode(decide("pull_request", pr("labeled", { label: "stackfork:approved" })))).toBe(
      "ACTION_NOT_HANDLED",
    );
    expect(ignoredCode(decide("pull_request", { ...pr("opened"), pull_request: undefined }))).toBe(
      "PAYLOAD_INCOMPLETE",
    );
    const off = decideWith({ ...repo, pullRequestEnvironments: false });
    expect(ignoredCode(off("pull_request", pr("opened")))).toBe("PULL_REQUESTS_DISABLED");
  });
});

describe("event policy for pull requests from forks", () => {
  const fork = (action: string, extra: Partial<Parameters<typeof pullRequestPayload>[1]> = {}) =>
    pr(action, { fork: "mallory/api", headRef: "main", ...extra });
  const forkIdentity = { kind: "pull_request", repository: "acme/api", pullRequest: 7, branch: "main" };

  it("never deploys a fork on its own: holds it for approval, and every push again by default", () => {
    for (const action of ["opened", "reopened", "ready_for_review", "synchronize"]) {
      expect(decide("pull_request", fork(action))).toMatchObject({
        intents: [{ type: "hold", identity: forkIdentity, commitSha: SHA, keepApproval: action !== "synchronize" }],
      });
    }
    // A deleted fork (head.repo null) is still a fork.
    expect(decide("pull_request", fork("opened", { fork: null }))).toMatchObject({ intents: [{ type: "hold" }] });
    const keep = decideWith({ ...repo, reapproveForkPushes: false });
    expect(keep("pull_request", fork("synchronize"))).toMatchObject({
      intents: [{ type: "hold", keepApproval: true }],
    });
  });

  it("destroys the fork's own environment on close, even when branch environments are kept", () => {
    const keep = decideWith({ ...repo, keepBranchEnvironmentOnClose: true });
    expect(keep("pull_request", fork("closed"))).toMatchObject({
      intents: [{ type: "destroy", identity: forkIdentity }],
    });
  });

  it("reads the approval label (the configured one) as an approval of the labelled head", () => {
    expect(
      decide("pull_request", fork("labeled", { label: "stackfork:approved", sender: "maintainer" })),
    ).toMatchObject({
      intents: [
        {
          type: "command",
          command: { name: "deploy" },
          via: "label",
          actor: "maintainer",
          commitSha: SHA,
          identity: forkIdentity,
          pullRequest: { repository: "acme/api", number: 7 },
        },
      ],
    });
    expect(ignoredCode(decide("pull_request", fork("labeled", { label: "bug" })))).toBe("ACTION_NOT_HANDLED");
    const custom = decideWith({ ...repo, approvalLabel: "safe-to-deploy" });
    expect(custom("pull_request", fork("labeled", { label: "safe-to-deploy" }))).toMatchObject({
      intents: [{ type: "command" }],
    });
    expect(ignoredCode(decide("pull_request", fork("labeled", { label: "stackfork:approved", state: "closed" })))).toBe(
      "ACTION_NOT_HANDLED",
    );
  });
});

describe("event policy for /stackfork comments", () => {
  const exampleCommentId = (comment("").comment as { id: number }).id;

  it("turns a trusted author's command into a command intent on the pull request", () => {
    for (const association of ["OWNER", "MEMBER", "COLLABORATOR"]) {
      expect(decide("issue_comment", comment("LGTM\n/stackfork deploy", { association, login: "lead" }))).toEqual({
        intents: [
          {
            type: "command",
            // The comment's id, so that it can be answered with a reaction.
            pullRequest: { repository: "acme/api", number: 7, commentId: exampleCommentId },
            command: { name: "deploy" },
            actor: "lead",
            via: "comment",
            requestedAt: "2026-11-27T12:00:00Z",
            cause: { actor: "lead", via: "github", deliveryId: "d-1", message: "/stackfork deploy by @lead on #7" },
          },
        ],
      });
    }
    expect(decide("issue_comment", comment("/stackfork extend 3d"))).toMatchObject({
      intents: [{ type: "command", command: { name: "extend", hours: 72 } }],
    });
  });

  it("refuses authors without write access, and bad arguments, so that history can say so", () => {
    for (const association of ["NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "MANNEQUIN"]) {
      expect(decide("issue_comment", comment("/stackfork deploy", { association }))).toMatchObject({
        intents: [{ type: "refuse", code: "COMMAND_NOT_ALLOWED", pullRequest: { number: 7 } }],
      });
    }
    expect(decide("issue_comment", comment("/stackfork extend soon"))).toMatchObject({
      intents: [{ type: "refuse", code: "COMMAND_INVALID" }],
    });
    expect(
      decide("issue_comment", comment(`/stackfork extend ${defaultEventPolicy.extendMaxHours + 1}h`)),
    ).toMatchObject({
      intents: [{ type: "refuse", code: "COMMAND_INVALID" }],
    });
    const longer = decideWith({ ...repo, extendMaxHours: 720 });
    expect(longer("issue_comment", comment("/stackfork extend 30d"))).toMatchObject({ intents: [{ type: "command" }] });
  });

  it("ignores comments that are not commands on a pull request, with the reason", () => {
    const cases: [unknown, string][] = [
      [comment("nice work"), "NO_COMMAND"],
      [comment("/stackfork dance"), "NO_COMMAND"],
      [comment("> /stackfork deploy\nquoted, not asked"), "NO_COMMAND"],
      [comment("/stackfork deploy", { bot: true }), "COMMENT_BY_BOT"],
      [comment("/stackfork deploy", { action: "edited" }), "ACTION_NOT_HANDLED"],
      [comment("/stackfork deploy", { onIssue: true }), "NOT_A_PULL_REQUEST"],
      [examplePayload("issue_comment", 0), "REPOSITORY_NOT_CONFIGURED"],
    ];
    for (const [payload, code] of cases) expect(ignoredCode(decide("issue_comment", payload))).toBe(code);
  });
});

describe("per-repository policy options", () => {
  it("come from the config file with the table's defaults, and are checked at load", () => {
    const load = (file: unknown) =>
      loadConfig({
        env: {},
        cwd: "/srv",
        readFile: (f) => (f === "/srv/stackfork.config.json" ? JSON.stringify(file) : undefined),
      });
    const [loaded] = load({ repositories: [{ name: "acme/api" }] }).repositories;
    expect(loaded).toMatchObject({
      pullRequestEnvironments: true,
      deployDraftPullRequests: true,
      keepBranchEnvironmentOnClose: false,
      approvalLabel: "stackfork:approved",
      reapproveForkPushes: true,
      extendMaxHours: 168,
    });
    expect(() => load({ repositories: [{ name: "acme/api", reapproveForkPushes: "no", approvalLabel: "" }] })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });
});
