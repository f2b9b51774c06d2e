import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../core/history-event.ts";
import { createDashboardHarness } from "../support/dashboard-harness.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../support/github-api-double.ts";
import { launchChromium } from "../support/launch-chromium.ts";
import { runCli } from "../support/run-cli.ts";
import { approveNextDeviceCode, signInInBrowser } from "../support/sign-in-in-browser.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const API = "acme/api";
const WEB = "acme/web";
const TOKEN = "ghp_e2e_sign_in";
const CLIENT = { clientId: "Iv1.e2e0000000signin", clientSecret: "e2e-client-secret" };
const shots = path.resolve(import.meta.dirname, "../../test-results/sign-in");

// People sign in with GitHub (the double plays github.com and api.github.com) to a real `stackfork
// serve`, in a real Chromium and through `stackfork login`; what they see and may do follows their
// permission on each repository, and history names them.
describe("sign-in with GitHub, end to end", () => {
  let work: string;
  let repo: FixtureRepository;
  let github: GitHubApiDouble;
  let server: EmbeddedServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const ids: Record<string, string> = {};

  const environment = async (id: string) => {
    const response = await fetch(`${server.baseUrl}/api/environments/${id}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    return (await response.json()) as { status: string; events: HistoryEvent[] };
  };
  const signIn = (page: Page, login: string) => signInInBrowser(page, server.baseUrl, github, login);

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    work = mkdtempSync(path.join(tmpdir(), "stackfork-e2e-sign-in-"));
    repo = createFixtureRepository(path.join(work, "repo"));
    github = await startGitHubApiDouble({ tokens: [TOKEN], oauthClient: { ...CLIENT, deviceInterval: 1 } });
    for (const name of [API, WEB]) github.addRepository(name);
    github.setPermission(API, "mona", "read");
    github.setPermission(API, "hubot", "write");
    github.setPermission(WEB, "octo", "write");
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [
        { name: API, localPath: repo.dir },
        { name: WEB, localPath: repo.dir },
      ],
      extraConfig: { reconcileIntervalSeconds: 0 },
      env: {
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: github.baseUrl,
        GITHUB_WEB_URL: github.webUrl,
        GITHUB_OAUTH_CLIENT_ID: CLIENT.clientId,
        GITHUB_OAUTH_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    const sha = repo.commit("feature/x", "one commit for both repositories");
    for (const name of [API, WEB]) {
      const accepted = await server.deliver("push", pushPayload(name, "feature/x", sha));
      ids[name] = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    }
    for (const id of Object.values(ids)) await server.waitFor(id, (e) => e.status === "ready");
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await github?.close();
    stopProcessesMentioning(work);
    // A copy stopping with the server may still be writing its folder for a moment.
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it("a reader sees only their repositories' environments, with no destroy button; logout ends the session at once", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.baseUrl}/login`);
    await page.screenshot({ path: path.join(shots, "login-page.png"), fullPage: true });
    await signIn(page, "mona");
    await page.screenshot({ path: path.join(shots, "signed-in-reader.png"), fullPage: true });
    const list = await page.locator("main").textContent();
    expect(list).toContain(ids[API]);
    expect(list).not.toContain(ids[WEB]);

    await page.goto(`${server.baseUrl}/environments/${ids[API]}`);
    expect(await page.getByRole("button", { name: "Destroy", exact: true }).count()).toBe(0);
    await page.goto(`${server.baseUrl}/environments/${ids[WEB]}`);
    expect(await page.locator("main").textContent()).not.toContain("feature/x");

    const [cookie] = (await browser.context.cookies()).filter((c) => c.name === "stackfork_session");
    await page.getByRole("button", { name: "Log out" }).click();
    // Logged out: back to the list, which sends someone signed in nowhere to the login page.
    await page.waitForURL((url) => url.pathname === "/login" || url.searchParams.get("done") === "logout");
    expect(await page.locator("#signed-in-as").count()).toBe(0);
    // The same cookie, replayed by hand: the session ended on the server.
    const replay = await fetch(`${server.baseUrl}/environments/${ids[API]}`, {
      headers: { cookie: `stackfork_session=${cookie?.value}` },
      redirect: "manual",
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toMatch(/^\/login/);
    await page.close();
  });

  it("a writer destroys, and history shows their login and that it came from the page", async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    await signIn(page, "hubot");
    await page.goto(`${server.baseUrl}/environments/${ids[API]}`);
    await page.getByLabel(/Yes, destroy/).check();
    await page.getByRole("button", { name: "Destroy", exact: true }).click();
    await page.waitForURL(/done=destroy/);
    await server.waitFor(ids[API] as string, (e) => e.status === "destroyed");
    const destroy = (await environment(ids[API] as string)).events.find((e) => e.type === "destroy_requested");
    expect(destroy).toMatchObject({ actor: "hubot", via: "page" });
    await page.close();
  });

  it("without a sign-in client, the login page keeps the token login and says how to turn sign-in on", async () => {
    const offline = await createDashboardHarness();
    try {
      const address = await offline.app.listen({ port: 0, host: "127.0.0.1" });
      const page = await browser.context.newPage();
      await page.goto(`${address}/login`);
      expect(await page.locator("#github-sign-in-off").textContent()).toContain("GITHUB_OAUTH_CLIENT_ID");
      expect(await page.getByRole("link", { name: "Sign in with GitHub" }).count()).toBe(0);
      expect(await page.getByLabel("API token").count()).toBe(1);
      await page.screenshot({ path: path.join(shots, "login-page-sign-in-off.png"), fullPage: true });
      await page.close();
    } finally {
      await offline.close();
    }
  });

  it("refuses a forged state and a replayed code, and signs nobody in", async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    // A real sign-in, whose callback URL (code and state) an attacker then replays.
    github.signInAs("mona");
    const callback = page.waitForRequest((r) => r.url().includes("/login/github/callback"));
    await page.goto(`${server.baseUrl}/login/github`);
    const used = new URL((await callback).url());
    await page.waitForURL(`${server.baseUrl}/`);
    await browser.context.clearCookies();

    const forged = await page.goto(`${server.baseUrl}/login/github/callback?code=abc&state=forged`);
    expect(forged?.status()).toBe(403);
    expect(await page.locator("#sign-in-problem").textContent()).toContain("SIGN_IN_REFUSED");
    await page.screenshot({ path: path.join(shots, "forged-state.png"), fullPage: true });

    // The replay comes with a state of its own (a sign-in started and stopped before GitHub), so
    // only GitHub's answer can refuse it: the code was used (bad_verification_code).
    const begun = await fetch(`${server.baseUrl}/login/github`, { redirect: "manual" });
    const state = new URL(String(begun.headers.get("location"))).searchParams.get("state");
    const [name, value] = (begun.headers.get("set-cookie")?.split(";")[0] ?? "").split("=");
    await browser.context.addCookies([
      { name: String(name), value: String(value), url: `${server.baseUrl}/login/github/callback` },
    ]);
    const replay = await page.goto(
      `${server.baseUrl}/login/github/callback?code=${used.searchParams.get("code")}&state=${state}`,
    );
    expect(replay?.status()).toBe(403);
    expect(await page.locator("#sign-in-problem").textContent()).toContain("bad_verification_code");
    await page.screenshot({ path: path.join(shots, "replayed-code.png"), fullPage: true });
    expect((await browser.context.cookies()).filter((c) => c.name === "stackfork_session")).toEqual([]);
    await page.close();
  });

  it("stackfork login through the device flow, then stackfork destroy recorded under that login via cli; logout", async () => {
    const credentials = path.join(work, "cli-config", "credentials.json");
    const env = { STACKFORK_URL: server.baseUrl, STACKFORK_CREDENTIALS: credentials };
    const login = runCli(["login"], env, work);
    await approveNextDeviceCode(github, "octo");
    const loggedIn = await login;
    expect(loggedIn.code, loggedIn.stderr).toBe(0);
    expect(loggedIn.stderr).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/login\/device and enter [A-Z]{4}-[A-Z]{4}/);
    expect(loggedIn.stdout).toContain("as octo");
    expect(statSync(credentials).mode & 0o777).toBe(0o600);

    const destroyed = await runCli(["destroy", ids[WEB] as string], env, work);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const destroy = (await environment(ids[WEB] as string)).events.find((e) => e.type === "destroy_requested");
    expect(destroy).toMatchObject({ actor: "octo", via: "cli" });

    const { token } = JSON.parse(readFileSync(credentials, "utf8")) as { token: string };
    const out = await runCli(["logout"], env, work);
    expect(out.code, out.stderr).toBe(0);
    expect(existsSync(credentials)).toBe(false);
    const after = await fetch(`${server.baseUrl}/api/environments`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
  });
});
