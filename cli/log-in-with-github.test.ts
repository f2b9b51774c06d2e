import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { logInWithGitHub } from "./log-in-with-github.ts";
import { readCredentials } from "./read-credentials.ts";

const CLIENT = { clientId: "Iv1.cli0000000signin", clientSecret: "cli-sign-in-secret" };

describe("logInWithGitHub", () => {
  let github: GitHubApiDouble;
  let harness: DashboardHarness;
  let serverUrl: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-cli-login-"));
    github = await startGitHubApiDouble({ oauthClient: { ...CLIENT, deviceInterval: 2, enforceInterval: false } });
    harness = await createDashboardHarness({ signIn: { ...CLIENT, webUrl: github.webUrl, apiUrl: github.baseUrl } });
    serverUrl = await harness.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await harness?.close();
    await github?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("waits GitHub's interval, longer after slow_down, and keeps the token for that server alone (0600)", async () => {
    const file = path.join(dir, "nested", "credentials.json");
    const waits: number[] = [];
    // The clock the CLI waits on is the test's: the person acts while it waits.
    const sleep = async (ms: number) => {
      waits.push(ms);
      if (waits.length === 1) github.slowDownNextPoll();
      if (waits.length === 3) github.approveDevice(github.pendingUserCodes()[0] as string, "mona");
    };
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const logs = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const updates: string[] = [];
    try {
      const code = await logInWithGitHub({
        serverUrl,
        credentialsFile: file,
        progress: { update: (text) => updates.push(text), done: () => undefined },
        sleep,
      });
      expect(code).toBe(0);
      expect(errors.mock.calls[0]?.[0]).toMatch(
        /^Open http:\/\/127\.0\.0\.1:\d+\/login\/device and enter [A-Z]{4}-[A-Z]{4}$/,
      );
      expect(logs.mock.calls[0]?.[0]).toContain("as mona");
    } finally {
      errors.mockRestore();
      logs.mockRestore();
    }
    // 2 s, slow_down said 7, then 7 again until approved.
    expect(waits).toEqual([2000, 7000, 7000]);
    expect(updates).toHaveLength(3);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved).toMatchObject({ serverUrl, login: "mona", token: expect.stringMatching(/^sfp_/) });
    expect(readCredentials(file, serverUrl, harness.now())?.login).toBe("mona");
    expect(readCredentials(file, "http://127.0.0.1:1", harness.now())).toBeUndefined();
    expect(readCredentials(file, serverUrl, new Date(Date.parse(saved.expiresAt) + 1))).toBeUndefined();
  });
});
