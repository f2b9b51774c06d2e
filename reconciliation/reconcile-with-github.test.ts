import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EnvironmentIdentity } from "../core/environment.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { reconcileWithGitHub } from "./reconcile-with-github.ts";
import type { ReconciliationStore } from "./reconciliation-store.ts";
import { createSqliteReconciliationStore } from "./sqlite-reconciliation-store.ts";

const TOKEN = "ghp_reconcile";
const REPO = "acme/api";
const OTHER = "acme/web";
const sha = (n: number) => n.toString(16).padStart(40, "0");
const branch = (name: string, repository = REPO): EnvironmentIdentity => ({ kind: "branch", repository, branch: name });
const config = (name: string): RepositoryConfig => ({
  name,
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
});

describe("reconcileWithGitHub against the GitHub double", () => {
  const stores = useSqliteStores();
  let github: GitHubApiDouble;
  let store: ReconciliationStore;
  let dir: string;
  let clock: Date;

  beforeEach(async () => {
    github = await startGitHubApiDouble({ tokens: [TOKEN] });
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-reconcile-"));
    store = createSqliteReconciliationStore({ file: path.join(dir, "reconciliation.db") });
    clock = new Date();
    for (const name of [REPO, OTHER]) {
      github.addRepository(name);
      github.setBranch(name, "main", sha(1));
    }
  });
  afterEach(async () => {
    await github.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reconcile = (options: { dryRun?: boolean; repository?: string } = {}, repositories = [config(REPO)]) =>
    reconcileWithGitHub(
      {
        ...stores,
        nameMaxLength: 40,
        github: createGitHubClient({
          auth: { token: TOKEN },
          baseUrl: github.baseUrl,
          log: createRecordingLogger(),
          retries: 0,
          retryAfterBaseMs: 1,
          writeIntervalMs: 0,
        }),
        store,
        repositories,
        log: createRecordingLogger(),
        now: () => clock,
        perPage: 100,
      },
      options,
    );
  /** Environments are seeded a minute before the clock: before any read begins. */
  const seed = (name: string, commit: string, repository = REPO) =>
    seedEnvironment(stores.registry, branch(name, repository), "ready", new Date(clock.getTime() - 60_000), {
      commitSha: commit,
    });
  const listRequests = () => github.requests.filter((r) => /\/(branches|pulls)$/.test(r.path));

  it("reads every page; a second run sends only conditional requests, all 304, and changes nothing", async () => {
    for (let i = 0; i < 250; i++) github.setBranch(REPO, `feature/${String(i).padStart(3, "0")}`, sha(1000 + i));
    github.addPullRequest(REPO, 7, { head: "feature/007" });
    await seed("feature/007", sha(1007));

    const first = await reconcile();
    expect(first.repositories).toMatchObject([{ repository: REPO, outcome: "reconciled", changes: [] }]);
    const pages = listRequests();
    expect(pages.map((r) => `${r.path.split("/").at(-1)}:${r.query.page}`)).toEqual([
      "branches:1",
      "branches:2",
      "branches:3",
      "pulls:1",
    ]);
    expect(pages.find((r) => r.path.endsWith("/pulls"))?.query.state).toBe("open");
    expect(pages.every((r) => r.ifNoneMatch === undefined)).toBe(true);

    github.requests.length = 0;
    const second = await reconcile();
    expect(second.repositories).toMatchObject([{ outcome: "reconciled", unchanged: true, changes: [] }]);
    expect(second.requests).toEqual({ sent: 4, notModified: 4 });
    expect(listRequests().every((r) => r.ifNoneMatch?.startsWith('W/"') && r.status === 304)).toBe(true);
    expect(await stores.queue.listPending()).toEqual([]);

    // A push on page 2 only: page 1 stays a 304, page 2 is read again.
    github.setBranch(REPO, "feature/150", sha(5150));
    github.requests.length = 0;
    const third = await reconcile();
    expect(listRequests().map((r) => r.status)).toEqual([304, 200, 304, 304]);
    expect(third.repositories[0]?.changes).toMatchObject([
      { kind: "new_branch", action: "deploy", branch: "feature/150", commitSha: sha(5150), outcome: "queued" },
    ]);
  });

  it("carries each decision out through submitIntent, by stackfork with the reason in history", async () => {
    github.setBranch(REPO, "kept", sha(10));
    github.setBranch(REPO, "moved", sha(21));
    github.setBranch(REPO, "pr-head", sha(30));
    github.addPullRequest(REPO, 7, { head: "pr-head" });
    const gone = await seed("gone", sha(40));
    const moved = await seed("moved", sha(20));
    const linked = await stores.registry.updateEnvironment(
      (await seed("pr-head", sha(30))).id,
      { pullRequest: 7 },
      new Date(clock.getTime() - 60_000),
    );
    await seed("kept", sha(10));
    const first = await reconcile();
    expect(first.repositories[0]?.changes.map((c) => `${c.kind} ${c.branch} ${c.outcome}`)).toEqual([
      "branch_deleted gone queued",
      "missed_push moved queued",
    ]);

    github.closePullRequest(REPO, 7);
    github.setBranch(REPO, "fresh", sha(50));
    const dry = await reconcile({ dryRun: true });
    const real = await reconcile();
    const summary = (changes: { kind: string; action: string; branch: string }[] = []) =>
      changes.map((c) => `${c.kind} ${c.action} ${c.branch}`);
    expect(summary(real.repositories[0]?.changes)).toEqual([
      "pull_request_closed destroy pr-head",
      "new_branch deploy fresh",
    ]);
    expect(summary(dry.repositories[0]?.changes)).toEqual(summary(real.repositories[0]?.changes));
    expect(dry.repositories[0]?.changes.every((c) => c.outcome === undefined)).toBe(true);

    const history = async (id: string) => (await stores.registry.listEvents(id)).at(-1);
    expect(await history(gone.id)).toMatchObject({
      type: "destroy_requested",
      actor: "stackfork",
      message: "reconciled: branch deleted",
    });
    expect(await history(moved.id)).toMatchObject({
      type: "deploy_requested",
      actor: "stackfork",
      commitSha: sha(21),
      message: "reconciled: missed push",
    });
    expect(await history(linked.id)).toMatchObject({
      type: "destroy_requested",
      message: "reconciled: pull request #7 closed",
    });
    const record = await store.getRepository(REPO);
    expect(record?.lastChanges.map((c) => c.branch)).toEqual(["pr-head", "fresh"]);
    expect(record?.baseline).toMatchObject({ fresh: sha(50), moved: sha(21) });
  });

  it("a dry run changes nothing and records nothing", async () => {
    await seed("gone", sha(40));
    const dry = await reconcile({ dryRun: true });
    expect(dry.repositories[0]?.changes).toMatchObject([
      { kind: "branch_deleted", action: "destroy", environment: "api-gone" },
    ]);
    expect(await stores.queue.listPending()).toEqual([]);
    expect((await stores.registry.findEnvironment(branch("gone")))?.status).toBe("ready");
    expect(await store.getRepository(REPO)).toBeUndefined();
  });

  it("stops reading when the rate limit runs low and resumes with the deferred repository first", async () => {
    const repositories = [config(REPO), config(OTHER)];
    github.setRateLimit({ remaining: 101, resetInSeconds: 600 }); // 99 left after the first repository
    const first = await reconcile({}, repositories);
    expect(first.repositories.map((r) => r.outcome)).toEqual(["reconciled", "deferred"]);
    expect(first.repositories[1]).toMatchObject({ error: { code: "GITHUB_RATE_LIMITED" } });
    expect(github.requests.some((r) => r.path.startsWith("/repos/acme/web"))).toBe(false);

    // Before the reset: nothing is asked of GitHub for the deferred repository.
    github.requests.length = 0;
    github.setRateLimit({ remaining: 5000, resetInSeconds: 3600 });
    await reconcile({}, repositories);
    expect(github.requests.some((r) => r.path.startsWith("/repos/acme/web"))).toBe(false);

    clock = new Date(clock.getTime() + 601_000);
    github.requests.length = 0;
    const later = await reconcile({}, repositories);
    expect(later.repositories.map((r) => r.outcome)).toEqual(["reconciled", "reconciled"]);
    expect(github.requests[0]?.path).toBe("/repos/acme/web/branches");
  });

  it("a secondary rate limit (403) stops the run, decides nothing, and waits retry-after", async () => {
    await seed("gone", sha(40));
    github.setSecondaryRateLimit(true, 120);
    const limited = await reconcile();
    expect(limited.repositories[0]).toMatchObject({
      outcome: "deferred",
      changes: [],
      error: { code: "GITHUB_RATE_LIMITED" },
    });
    expect((await stores.registry.findEnvironment(branch("gone")))?.status).toBe("ready");

    github.setSecondaryRateLimit(false);
    github.requests.length = 0;
    await reconcile();
    expect(github.requests).toEqual([]);

    clock = new Date(clock.getTime() + 121_000);
    const resumed = await reconcile();
    expect(resumed.repositories[0]?.changes).toMatchObject([{ kind: "branch_deleted", outcome: "queued" }]);
  });

  it("a failure mid-list decides nothing: a branch on an unread page is not taken for deleted", async () => {
    for (let i = 0; i < 150; i++) github.setBranch(REPO, `b${String(i).padStart(3, "0")}`, sha(100 + i));
    await seed("b140", sha(240));
    github.fail({ path: "/repos/acme/api/branches", query: { page: "2" }, kind: "server-error" });
    const result = await reconcile();
    expect(result.repositories[0]).toMatchObject({
      outcome: "failed",
      changes: [],
      error: { code: "GITHUB_UNAVAILABLE" },
    });
    expect(await stores.queue.listPending()).toEqual([]);
  });
});
