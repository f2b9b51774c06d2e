import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPersonSessions } from "../access/create-person-sessions.ts";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { runCli } from "../test/support/run-cli.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

// The CLI as a child process, signed in as a person (the file `stackfork login` writes), against the real app.
describe("stackfork sandbox up, signed in as a person", () => {
  let h: DashboardHarness;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }], readsOpen: false });
    const serverUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    cwd = mkdtempSync(path.join(tmpdir(), "stackfork-person-cli-"));
    const { secret, session } = await createPersonSessions({ store: h.registry, now: h.now }).startPersonSession({
      login: "octo",
      via: "cli",
    });
    const credentials = path.join(cwd, "credentials.json");
    // The CLI checks the expiry against the real clock; the harness's clock is fixed in the past.
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    writeFileSync(credentials, JSON.stringify({ serverUrl, login: session.login, token: secret, expiresAt }));
    env = {
      STACKFORK_URL: serverUrl,
      STACKFORK_DATA_DIR: path.join(cwd, "no-data"),
      STACKFORK_CREDENTIALS: credentials,
      // Not the person's: without the default below, the sandbox asked for would be someone else's.
      HOME: cwd,
      USER: "someone-else",
    };
  });
  afterAll(async () => {
    await h.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("asks for the signed-in person's own sandbox, recorded under their login via cli", async () => {
    // Offline (no GitHub): a person may act on their own sandboxes only, so one exists already.
    const sandbox = await seedEnvironment(
      h.registry,
      { kind: "sandbox", repository: "acme/api", owner: "octo", branch: "main" },
      "ready",
      h.now(),
    );
    const up = await runCli(["sandbox", "up", "--repository", "acme/api", "--ref", "feature/x", "--no-wait"], env, cwd);
    expect(up.code, up.stderr).toBe(0);
    expect((await h.registry.listEvents(sandbox.id)).at(-1)).toMatchObject({
      type: "deploy_requested",
      actor: "octo",
      via: "cli",
    });
    const other = await runCli(
      ["sandbox", "up", "--owner", "someone-else", "--repository", "acme/api", "--ref", "feature/x", "--no-wait"],
      env,
      cwd,
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("FORBIDDEN");
  });
});
