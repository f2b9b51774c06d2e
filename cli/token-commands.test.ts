import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { runCli } from "../test/support/run-cli.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

// The CLI as a child process against the real app on a real port.
describe("stackfork token", () => {
  let h: DashboardHarness;
  let cwd: string;
  let admin: Record<string, string>;

  beforeAll(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }], readsOpen: false });
    const serverUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    cwd = mkdtempSync(path.join(tmpdir(), "stackfork-token-cli-"));
    admin = {
      STACKFORK_URL: serverUrl,
      STACKFORK_DATA_DIR: path.join(cwd, "no-data"),
      STACKFORK_CREDENTIALS: path.join(cwd, "no-credentials.json"),
      STACKFORK_API_TOKEN: DASHBOARD_TOKEN,
    };
  });
  afterAll(async () => {
    await h.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("creates a token printed alone on the last line, which then acts by its scopes, until revoked", async () => {
    const env = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "x" },
      "ready",
      h.now(),
    );
    const created = await runCli(["token", "create", "--name", "ci", "--scope", "read"], admin, cwd);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trimEnd().split("\n").at(-1) ?? "";
    expect(token).toMatch(/^sft_[A-Za-z0-9_-]{43}$/);
    const asToken = { ...admin, STACKFORK_API_TOKEN: token };

    const listed = await runCli(["ls", "--json"], asToken, cwd);
    expect(listed.code, listed.stderr).toBe(0);
    const destroy = await runCli(["destroy", env.id, "--no-wait"], asToken, cwd);
    expect(destroy.code).toBe(1);
    expect(destroy.stderr).toContain("FORBIDDEN");
    expect((await runCli(["token", "ls"], admin, cwd)).stdout).toContain("ci\tread\tapi-token");

    const revoked = await runCli(["token", "revoke", "ci"], admin, cwd);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await runCli(["ls"], asToken, cwd);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("UNAUTHORIZED");
    expect((await runCli(["token", "revoke", "ci"], admin, cwd)).code).toBe(1);
  });

  it("refuses a scope it does not know, and a missing name, as usage mistakes", async () => {
    expect((await runCli(["token", "create", "--name", "x", "--scope", "root"], admin, cwd)).code).toBe(2);
    expect((await runCli(["token", "create"], admin, cwd)).code).toBe(2);
    expect((await runCli(["token", "revoke"], admin, cwd)).code).toBe(2);
  });
});
