import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { runCli } from "../test/support/run-cli.ts";
import { seedCost } from "../test/support/seed-cost.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

// `stackfork ls --cost` and `stackfork cost` as a child process against the real app on a real port.
describe("the cost commands", () => {
  let h: DashboardHarness;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }, { name: "acme/web" }] });
    const serverUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    cwd = mkdtempSync(path.join(tmpdir(), "stackfork-cli-cost-"));
    env = {
      STACKFORK_URL: serverUrl,
      STACKFORK_DATA_DIR: path.join(cwd, "no-data"),
      STACKFORK_API_TOKEN: DASHBOARD_TOKEN,
    };
    const at = h.now();
    const measured = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "busy" },
      "ready",
      at,
    );
    await seedEnvironment(
      h.registry,
      { kind: "sandbox", repository: "acme/web", owner: "ann", branch: "main" },
      "ready",
      at,
    );
    await seedCost(h.registry, measured.id, {
      measuredAt: at.toISOString(),
      idleMonthlyUsd: 0.000012,
      last24hUsd: 0.0003,
      last30dUsd: 0.0123,
      lifeUsd: 0.02,
      alwaysOnMonthlyUsd: 7.3,
    });
  });
  afterAll(async () => {
    await h.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("ls --cost adds the figures, sub-cent ones as they are, and - before a measurement", async () => {
    const result = await runCli(["ls", "--cost"], env, cwd);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/IDLE\/MONTH\s+24H\s+30D\s+LIFE\s+ALWAYS-ON\/MONTH/);
    const busy = lines.find((l) => l.includes("busy")) ?? "";
    expect(busy).toMatch(/\$0\.000012\s+\$0\.0003\s+\$0\.01\s+\$0\.02\s+\$7\.30/);
    const unmeasured = lines.find((l) => l.includes("acme/web")) ?? "";
    expect(unmeasured).toMatch(/-\s+-\s+-\s+-\s+-/);
    expect((await runCli(["ls"], env, cwd)).stdout).not.toContain("IDLE/MONTH");
  });

  it("cost sums per repository and owner with a total; --by refuses anything else with 2", async () => {
    const byRepository = await runCli(["cost"], env, cwd);
    expect(byRepository.code).toBe(0);
    expect(byRepository.stdout).toMatch(/acme\/api\s+1\s+1\s+\$0\.000012\s+\$0\.0003/);
    expect(byRepository.stdout).toMatch(/acme\/web\s+1\s+0\s+-/);
    expect(byRepository.stdout).toMatch(/TOTAL\s+2\s+1\s+\$0\.000012/);
    const byOwner = await runCli(["cost", "--by", "owner", "--json"], env, cwd);
    expect(
      JSON.parse(byOwner.stdout)
        .groups.map((g: { key: string }) => g.key)
        .sort(),
    ).toEqual(["", "ann"]);
    expect((await runCli(["cost", "--by", "branch"], env, cwd)).code).toBe(2);
  });
});
