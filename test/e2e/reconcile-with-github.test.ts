import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconciliationReport } from "../../reconciliation/reconcile-with-github.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../support/github-api-double.ts";
import { runCli } from "../support/run-cli.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { pullRequestPayload, pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const TOKEN = "ghp_e2e_reconcile";

// Deliveries lost while stackfork was stopped: on GitHub (the double) a branch is deleted, another
// gets a new commit, a pull request is closed and a new branch is pushed, and no webhook says so.
// One reconciliation after the restart puts the world right.
describe("reconciliation with GitHub, end to end", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let github: GitHubApiDouble;
  let server: EmbeddedServer;

  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      // On demand only: the dry run must come before the first reconciliation.
      extraConfig: { reconcileIntervalSeconds: 0 },
      env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.baseUrl },
    });
  const reconcile = async (...flags: string[]) => {
    const result = await runCli(["reconcile", "--json", ...flags], {
      STACKFORK_URL: server.baseUrl,
      STACKFORK_API_TOKEN: API_TOKEN,
    });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as ReconciliationReport;
  };
  const summary = (report: ReconciliationReport) =>
    report.repositories.flatMap((r) => r.changes.map((c) => `${c.action} ${c.branch}: ${c.reason}`));

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-reconcile-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    github = await startGitHubApiDouble({ tokens: [TOKEN] });
    github.addRepository(REPO);
  });
  afterAll(async () => {
    await server?.stop();
    await github?.close();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("destroys, redeploys and deploys what the missed deliveries asked for; a second run costs only 304s", async () => {
    const heads: Record<string, string> = {};
    for (const branch of ["gone", "moved", "pr-head"]) {
      heads[branch] = repo.commit(branch, `${branch} 1`);
      github.setBranch(REPO, branch, heads[branch] as string);
    }
    github.addPullRequest(REPO, 7, { head: "pr-head" });
    server = await start();
    const ids: Record<string, string> = {};
    for (const branch of ["gone", "moved", "pr-head"]) {
      const accepted = await server.deliver("push", pushPayload(REPO, branch, heads[branch] as string));
      ids[branch] = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    }
    await server.deliver(
      "pull_request",
      pullRequestPayload(REPO, {
        action: "opened",
        number: 7,
        headRef: "pr-head",
        headSha: heads["pr-head"] as string,
      }),
    );
    for (const id of Object.values(ids)) await server.waitFor(id, (e) => e.status === "ready");
    // The first reconciliation: everything in step, and the baseline of "new since".
    expect(summary(await reconcile())).toEqual([]);
    await server.stop();

    github.deleteBranch(REPO, "gone");
    const moved = repo.commit("moved", "moved 2");
    github.setBranch(REPO, "moved", moved);
    github.closePullRequest(REPO, 7);
    const fresh = repo.commit("fresh", "fresh 1");
    github.setBranch(REPO, "fresh", fresh);
    server = await start();

    const expected = [
      "destroy gone: reconciled: branch deleted",
      "deploy moved: reconciled: missed push",
      "destroy pr-head: reconciled: pull request #7 closed",
      "deploy fresh: reconciled: new branch",
    ];
    const dry = await reconcile("--dry-run");
    expect(summary(dry)).toEqual(expected);
    const untouched = (await server.environments()).environments;
    expect(untouched.map((e) => [e.branch, e.status]).sort()).toEqual([
      ["gone", "ready"],
      ["moved", "ready"],
      ["pr-head", "ready"],
    ]);

    const real = await reconcile();
    expect(summary(real)).toEqual(expected);
    const freshId = real.repositories[0]?.changes.find((c) => c.branch === "fresh")?.environment as string;
    await server.waitFor(ids.gone as string, (e) => e.status === "destroyed");
    await server.waitFor(ids.moved as string, (e) => e.status === "ready" && e.commitSha === moved);
    await server.waitFor(ids["pr-head"] as string, (e) => e.status === "destroyed");
    const deployed = await server.waitFor(freshId, (e) => e.status === "ready");
    expect(deployed.commitSha).toBe(fresh);
    const history = (await server.environment(ids.gone as string)).events;
    expect(history.find((e) => e.type === "destroy_requested")).toMatchObject({
      actor: "stackfork",
      message: "reconciled: branch deleted",
    });

    github.requests.length = 0;
    const again = await reconcile();
    expect(summary(again)).toEqual([]);
    const reads = github.requests.filter((r) => /\/(branches|pulls)$/.test(r.path));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.ifNoneMatch !== undefined && r.status === 304)).toBe(true);
    expect(again.requests).toEqual({ sent: reads.length, notModified: reads.length });
  }, 600_000);
});
