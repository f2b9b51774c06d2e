import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { runCli } from "../test/support/run-cli.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

// The CLI as a child process against the real app on a real port (no worker: jobs stay queued).
describe("the stackfork command", () => {
  let h: DashboardHarness;
  let serverUrl: string;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }] });
    serverUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    cwd = mkdtempSync(path.join(tmpdir(), "stackfork-cli-"));
    env = {
      STACKFORK_URL: serverUrl,
      STACKFORK_DATA_DIR: path.join(cwd, "no-data"),
      STACKFORK_API_TOKEN: DASHBOARD_TOKEN,
      GITHUB_WEBHOOK_SECRET: "dashboard-test-webhook-secret",
    };
  });
  afterAll(async () => {
    await h.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("answers --help for every command with 0, and usage mistakes with 2", async () => {
    const commands = [
      [],
      ["serve"],
      ["ls"],
      ["logs"],
      ["sandbox", "up"],
      ["sandbox", "down"],
      ["redeploy"],
      ["destroy"],
      ["simulate", "push"],
      ["simulate", "delete"],
      ["simulate", "pr"],
    ];
    const helps = await Promise.all(commands.map((c) => runCli([...c, "--help"], env, cwd)));
    for (const [i, result] of helps.entries()) {
      expect(result.code, commands[i]?.join(" ")).toBe(0);
      expect(result.stdout).toContain("stackfork");
    }
    const mistakes = [
      [],
      ["nope"],
      ["ls", "--nope"],
      ["destroy"],
      ["sandbox"],
      ["sandbox", "up", "--ref", "a", "--dir", "."],
      ["simulate", "push"],
    ];
    const results = await Promise.all(mistakes.map((m) => runCli(m, env, cwd)));
    for (const [i, result] of results.entries()) expect(result.code, mistakes[i]?.join(" ")).toBe(2);
  });

  it("exits 1 when the server refuses: a wrong token, an unknown environment, no server", async () => {
    const wrongToken = await runCli(["redeploy", "whatever"], { ...env, STACKFORK_API_TOKEN: "wrong" }, cwd);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain("UNAUTHORIZED");
    const unknown = await runCli(["destroy", "nope"], env, cwd);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("NOT_FOUND");
    const noServer = await runCli(["ls"], { ...env, STACKFORK_URL: "http://127.0.0.1:9" }, cwd);
    expect(noServer.code).toBe(1);
  });

  it("asks for a sandbox from a ref, redeploys and destroys, each through the API", async () => {
    const up = await runCli(
      ["sandbox", "up", "--owner", "octocat", "--repository", "acme/api", "--ref", "feature/x", "--no-wait"],
      env,
      cwd,
    );
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout.trim()).toBe("api-sb-octocat");
    expect(await h.registry.getEnvironment("api-sb-octocat")).toMatchObject({ branch: "feature/x", status: "queued" });

    const env2 = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "b" },
      "ready",
      h.now(),
      {
        commitSha: "e".repeat(40),
      },
    );
    const redeploy = await runCli(["redeploy", env2.id, "--no-wait"], env, cwd);
    expect(redeploy.code, redeploy.stderr).toBe(0);
    expect((await h.queue.listPending(env2.id))[0]).toMatchObject({ type: "deploy", commitSha: "e".repeat(40) });

    const down = await runCli(
      ["sandbox", "down", "--owner", "octocat", "--repository", "acme/api", "--no-wait"],
      env,
      cwd,
    );
    expect(down.code, down.stderr).toBe(0);
    expect((await h.registry.getEnvironment("api-sb-octocat"))?.status).toBe("destroying");
  });

  it("lists environments as a table and as JSON", async () => {
    const table = await runCli(["ls"], env, cwd);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+KIND/);
    const json = await runCli(["ls", "--json"], env, cwd);
    expect(JSON.parse(json.stdout).environments.length).toBeGreaterThan(0);
  });

  it("simulates a signed push the server accepts, and a wrongly signed one it refuses", async () => {
    const sha = "f".repeat(40);
    const push = await runCli(
      ["simulate", "push", "--repository", "acme/api", "--branch", "demo", "--sha", sha],
      env,
      cwd,
    );
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain("HTTP 202");
    const environment = (await h.registry.listEnvironments({ search: "demo" })).environments[0];
    expect(environment).toMatchObject({ kind: "branch", branch: "demo" });
    expect((await h.queue.listPending(environment?.id))[0]?.commitSha).toBe(sha);

    const bad = await runCli(
      ["simulate", "delete", "--repository", "acme/api", "--branch", "demo"],
      { ...env, GITHUB_WEBHOOK_SECRET: "not-the-secret" },
      cwd,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("HTTP 401");
  });
});
