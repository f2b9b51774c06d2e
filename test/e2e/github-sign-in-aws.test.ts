import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../core/history-event.ts";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import { API_TOKEN, type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../support/github-api-double.ts";
import { launchChromium } from "../support/launch-chromium.ts";
import { runCli } from "../support/run-cli.ts";
import { approveNextDeviceCode, signInInBrowser } from "../support/sign-in-in-browser.ts";
import { stopProcessesMentioning } from "../support/stack-state.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const TOKEN = "ghp_e2e_sign_in_aws";
const CLIENT = { clientId: "Iv1.e2e00000awssignin", clientSecret: "e2e-aws-client-secret" };

// The same sign-in on `stackfork serve` with STACKFORK_STORE=aws (the emulator): people's sessions
// live in DynamoDB, so a logout ends them for every instance, and history there names the person.
describe("sign-in with GitHub on the AWS adapters", () => {
  let work: string;
  let repo: FixtureRepository;
  let github: GitHubApiDouble;
  let server: EmbeddedServer;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;
  let id: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-aws-sign-in-"));
    repo = createFixtureRepository(path.join(work, "repo"));
    github = await startGitHubApiDouble({ tokens: [TOKEN], oauthClient: { ...CLIENT, deviceInterval: 1 } });
    github.addRepository(REPO);
    github.setPermission(REPO, "hubot", "write");
    aws = await createAwsStackforkEnv("sign-in");
    server = await startEmbeddedServer({
      dataDir: path.join(work, "data"),
      repositories: [{ name: REPO, localPath: repo.dir }],
      extraConfig: { reconcileIntervalSeconds: 0 },
      env: {
        ...aws.env,
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: github.baseUrl,
        GITHUB_WEB_URL: github.webUrl,
        GITHUB_OAUTH_CLIENT_ID: CLIENT.clientId,
        GITHUB_OAUTH_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    const sha = repo.commit("feature/aws-sign-in", "signed in on aws");
    const accepted = await server.deliver("push", pushPayload(REPO, "feature/aws-sign-in", sha));
    id = (accepted.body.queued as { environment: string }[])[0]?.environment as string;
    await server.waitFor(id, (e) => e.status === "ready");
  });
  afterAll(async () => {
    await server?.stop();
    await github?.close();
    stopProcessesMentioning(work);
    aws?.clients.destroy();
    // A copy stopping with the server may still be writing its folder for a moment.
    rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it("signs in on the page, and a logout ends the session in DynamoDB at once", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await signInInBrowser(page, server.baseUrl, github, "hubot");
      expect(await page.locator("main").textContent()).toContain(id);
      const [cookie] = (await browser.context.cookies()).filter((c) => c.name === "stackfork_session");
      await page.getByRole("button", { name: "Log out" }).click();
      // Logged out: back to the list, which sends someone signed in nowhere to the login page.
      await page.waitForURL((url) => url.pathname === "/login" || url.searchParams.get("done") === "logout");
      expect(await page.locator("#signed-in-as").count()).toBe(0);
      const replay = await fetch(`${server.baseUrl}/environments/${id}`, {
        headers: { cookie: `stackfork_session=${cookie?.value}` },
        redirect: "manual",
      });
      expect(replay.status).toBe(303);
    } finally {
      await browser.close();
    }
  });

  it("stackfork login, then stackfork destroy recorded under that login via cli; logout ends the token", async () => {
    const credentials = path.join(work, "cli-config", "credentials.json");
    const env = { STACKFORK_URL: server.baseUrl, STACKFORK_CREDENTIALS: credentials };
    const login = runCli(["login"], env, work);
    await approveNextDeviceCode(github, "hubot");
    const loggedIn = await login;
    expect(loggedIn.code, loggedIn.stderr).toBe(0);
    const { token } = JSON.parse(readFileSync(credentials, "utf8")) as { token: string };

    const destroyed = await runCli(["destroy", id], env, work);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const answer = await fetch(`${server.baseUrl}/api/environments/${id}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const { events } = (await answer.json()) as { events: HistoryEvent[] };
    expect(events.find((e) => e.type === "destroy_requested")).toMatchObject({ actor: "hubot", via: "cli" });

    expect((await runCli(["logout"], env, work)).code).toBe(0);
    const after = await fetch(`${server.baseUrl}/api/environments`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  });
});
