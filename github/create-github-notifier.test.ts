import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createGitHubClient } from "./create-github-client.ts";
import { createGitHubNotifier } from "./create-github-notifier.ts";
import type { Notifier } from "./notifier.ts";
import { environmentCommentMarker } from "./render-environment-comment.ts";

const TOKEN = "ghs_notifier_test";
const REPO = "acme/api";
const PR = 5;
const SHAS = ["1".repeat(40), "2".repeat(40), "3".repeat(40)] as const;
const DASHBOARD = "https://stackfork.acme.test";
const COMMENTS = `/repos/acme/api/issues/${PR}/comments`;
const COMMENT = /^\/repos\/acme\/api\/issues\/comments\/\d+$/;

let github: GitHubApiDouble;
let log: ReturnType<typeof createRecordingLogger>;

beforeEach(async () => {
  github = await startGitHubApiDouble({ tokens: [TOKEN] });
  github.addRepository(REPO);
  for (const sha of SHAS) github.addCommit(REPO, sha);
  github.setBranch(REPO, "feature/login", SHAS[0]);
  github.addPullRequest(REPO, PR);
  log = createRecordingLogger();
});
afterEach(async () => {
  await github.close();
});

function environment(overrides: Partial<Environment> = {}): Environment {
  return {
    id: "env-pr-5",
    name: "api-pr-5",
    kind: "pull_request",
    repository: REPO,
    branch: "feature/login",
    pullRequest: PR,
    status: "deploying",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function notifier(): Notifier {
  const client = createGitHubClient({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    log,
    retryAfterBaseMs: 1,
    writeIntervalMs: 0,
  });
  return createGitHubNotifier({ client, log, dashboardUrl: DASHBOARD });
}

async function push(n: Notifier, sha: string, env = environment()) {
  await n.notify({ environment: { ...env, status: "deploying" }, phase: "deploying", commitSha: sha });
  await n.notify({
    environment: { ...env, status: "ready", commitSha: sha, url: `http://127.0.0.1:4000/${sha.slice(0, 7)}` },
    phase: "ready",
    commitSha: sha,
  });
}

const ours = () => github.comments(REPO, PR).filter((c) => c.body.startsWith(environmentCommentMarker("env-pr-5")));
const states = () => github.deployments(REPO).map((d) => d.statuses.map((s) => s.state));
const errors = () => log.records.filter((r) => r.level === "error");

describe("createGitHubNotifier", () => {
  it("keeps one sticky comment across three pushes: created once, then edited", async () => {
    // 150 comments by others: finding ours takes more than one page (100 a page).
    for (let i = 0; i < 150; i++) github.addComment(REPO, PR, `looks good ${i}`);
    const n = notifier();
    for (const sha of SHAS) await push(n, sha);

    expect(github.requestsTo("POST", COMMENTS)).toHaveLength(1);
    expect(github.requestsTo("PATCH", COMMENT)).toHaveLength(5);
    expect(github.requestsTo("GET", COMMENTS).map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);
    expect(github.comments(REPO, PR)).toHaveLength(151);
    const [comment] = ours();
    expect(ours()).toHaveLength(1);
    expect(comment?.body).toContain(`/acme/api/commit/${SHAS[2]}`);
    expect(comment?.body).toContain("http://127.0.0.1:4000/3333333");
    expect(comment?.body).toContain(`${DASHBOARD}/environments/env-pr-5`);
    expect(comment?.body).not.toContain(SHAS[1].slice(0, 7));
    expect(errors()).toEqual([]);
  });

  it("creates one transient deployment per commit: in_progress -> success, the replaced ones inactive", async () => {
    const n = notifier();
    for (const sha of SHAS) await push(n, sha);

    const deployments = github.deployments(REPO);
    expect(deployments.map((d) => d.sha)).toEqual([...SHAS]);
    for (const d of deployments) {
      expect(d).toMatchObject({
        environment: "api-pr-5",
        transient_environment: true,
        production_environment: false,
        request: { auto_merge: false, required_contexts: [] },
      });
    }
    expect(states()).toEqual([
      ["in_progress", "success", "inactive"],
      ["in_progress", "success", "inactive"],
      ["in_progress", "success"],
    ]);
    const success = deployments[2]?.statuses[1];
    expect(success?.environment_url).toBe("http://127.0.0.1:4000/3333333");
    expect(success?.log_url).toBe(`${DASHBOARD}/environments/env-pr-5`);
  });

  it("marks a failed deploy failure, with the error code and the log tail in the comment", async () => {
    const n = notifier();
    await push(n, SHAS[0]);
    await n.notify({ environment: environment(), phase: "deploying", commitSha: SHAS[1] });
    await n.notify({
      environment: environment({ status: "failed", commitSha: SHAS[0], url: "http://127.0.0.1:4000/1111111" }),
      phase: "failed",
      commitSha: SHAS[1],
      error: { code: "DEPLOY_FAILED", message: "the update failed" },
      logTail: ["Updating (api-pr-5):", "  error: TypeError: handler is not a function", "Resources: 3 unchanged"],
    });

    expect(states()).toEqual([
      ["in_progress", "success"],
      ["in_progress", "failure"],
    ]);
    const body = ours()[0]?.body ?? "";
    expect(body).toContain("`DEPLOY_FAILED`");
    expect(body).toMatch(/<details>[\s\S]*error: TypeError: handler is not a function[\s\S]*<\/details>/);
    expect(body).toContain(`/commit/${SHAS[1]}`);
  });

  it("marks every deployment of the environment inactive when it is destroyed", async () => {
    const n = notifier();
    await push(n, SHAS[0]);
    await n.notify({ environment: environment(), phase: "deploying", commitSha: SHAS[1] });
    await n.notify({
      environment: environment({ status: "failed" }),
      phase: "failed",
      commitSha: SHAS[1],
      error: { code: "DEPLOY_FAILED", message: "boom" },
      logTail: [],
    });
    await n.notify({ environment: environment({ status: "destroyed", url: undefined }), phase: "destroyed" });

    expect(states()).toEqual([
      ["in_progress", "success", "inactive"],
      ["in_progress", "failure", "inactive"],
    ]);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).not.toContain("http://127.0.0.1:4000/");
  });

  it("deploys the head of a branch: GitHub resolves it, and the same deployment turns ready", async () => {
    const n = notifier();
    await n.notify({ environment: environment(), phase: "deploying" });
    await n.notify({
      environment: environment({ status: "ready", commitSha: SHAS[0], url: "http://127.0.0.1:4000/x" }),
      phase: "ready",
      commitSha: SHAS[0],
    });
    expect(github.deployments(REPO).map((d) => [d.ref, d.sha])).toEqual([["feature/login", SHAS[0]]]);
    expect(states()).toEqual([["in_progress", "success"]]);
  });

  it("gives a branch without a pull request deployments but no comment", async () => {
    const n = notifier();
    await push(n, SHAS[0], environment({ kind: "branch", pullRequest: undefined, id: "env-b", name: "api-feat" }));
    expect(github.requestsTo("GET", COMMENTS)).toEqual([]);
    expect(github.requestsTo("POST", COMMENTS)).toEqual([]);
    expect(github.deployments(REPO).map((d) => d.environment)).toEqual(["api-feat"]);
  });

  it("only comments while a fork's pull request awaits approval", async () => {
    await notifier().notify({ environment: environment({ status: "awaiting_approval" }), phase: "awaiting_approval" });
    expect(ours()).toHaveLength(1);
    expect(github.deployments(REPO)).toEqual([]);
  });

  it("finds its comment again after a restart, on a later page, and edits it", async () => {
    for (let i = 0; i < 120; i++) github.addComment(REPO, PR, `chatter ${i}`);
    await push(notifier(), SHAS[0]);
    for (let i = 0; i < 120; i++) github.addComment(REPO, PR, `more chatter ${i}`);
    const before = github.requestsTo("POST", COMMENTS).length;

    await push(notifier(), SHAS[1]); // a new process: nothing cached
    expect(github.requestsTo("POST", COMMENTS).length).toBe(before);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).toContain(`/commit/${SHAS[1]}`);
    // and it still makes the first commit's deployment inactive, reading its state from GitHub
    expect(states()).toEqual([
      ["in_progress", "success", "inactive"],
      ["in_progress", "success"],
    ]);
  });

  it("ignores a comment that only quotes the marker", async () => {
    github.addComment(REPO, PR, `> ${environmentCommentMarker("env-pr-5")}\n> it was ready`);
    await push(notifier(), SHAS[0]);
    expect(github.requestsTo("POST", COMMENTS)).toHaveLength(1);
  });

  it("retries a 403 rate limit and a 500, and succeeds", async () => {
    github.fail({ method: "POST", path: COMMENTS, kind: "rate-limit" });
    github.fail({ method: "POST", path: /\/deployments\/\d+\/statuses$/, kind: "server-error" });
    github.fail({ method: "POST", path: "/repos/acme/api/deployments", kind: "secondary-rate-limit" });
    await push(notifier(), SHAS[0]);

    expect(github.requestsTo("POST", COMMENTS)).toHaveLength(2);
    expect(github.requestsTo("POST", "/repos/acme/api/deployments")).toHaveLength(2);
    expect(states()).toEqual([["in_progress", "success"]]);
    expect(ours()).toHaveLength(1);
    expect(errors()).toEqual([]);
  });

  it("resolves without throwing when GitHub is down, and logs with the environment id", async () => {
    const n = notifier();
    await github.close();
    await expect(n.notify({ environment: environment(), phase: "deploying", commitSha: SHAS[0] })).resolves.toBe(
      undefined,
    );
    expect(errors().length).toBeGreaterThan(0);
    for (const record of errors()) expect(record.fields.environment).toBe("env-pr-5");
  });

  it("resolves without throwing when GitHub refuses (422), and logs", async () => {
    const n = notifier();
    await n.notify({ environment: environment(), phase: "deploying", commitSha: "f".repeat(40) }); // unknown commit
    expect(errors().map((r) => (r.fields.err as { status?: number }).status)).toEqual([422]);
    expect(ours()).toHaveLength(1); // the comment is independent of the deployment
  });
});
