import { generateKeyPairSync } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createGitHubClient, type GitHubClientOptions } from "./create-github-client.ts";

const TOKEN = "ghp_test_token";
const REPO = "acme/api";
const COMMENTS = "/repos/acme/api/issues/7/comments";
// Key generation is slow-ish: once per file. GitHub hands out App keys as PKCS#1 PEM.
const appKeys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});

let github: GitHubApiDouble;

beforeEach(async () => {
  github = await startGitHubApiDouble({ tokens: [TOKEN], app: { id: 4242, publicKey: appKeys.publicKey } });
  github.addRepository(REPO, { installationId: 77 });
  github.addPullRequest(REPO, 7);
});
afterEach(async () => {
  await github.close();
});

/** Waits are scaled to a millisecond per second asked: retries happen, nothing really waits. */
function client(overrides: Partial<GitHubClientOptions> = {}) {
  return createGitHubClient({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    log: createRecordingLogger(),
    retryAfterBaseMs: 1,
    writeIntervalMs: 0,
    ...overrides,
  });
}

async function listComments(options: Partial<GitHubClientOptions> = {}) {
  const octokit = await client(options).forRepository(REPO);
  return octokit.rest.issues.listComments({ owner: "acme", repo: "api", issue_number: 7 });
}

describe("createGitHubClient", () => {
  it("follows Link pagination over several pages", async () => {
    for (let i = 0; i < 5; i++) github.addComment(REPO, 7, `comment ${i}`);
    const octokit = await client().forRepository(REPO);
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: "acme",
      repo: "api",
      issue_number: 7,
      per_page: 2,
    });
    expect(all.map((c) => c.body)).toEqual(["comment 0", "comment 1", "comment 2", "comment 3", "comment 4"]);
    expect(github.requestsTo("GET", COMMENTS).map((r) => r.query.page ?? "1")).toEqual(["1", "2", "3"]);
  });

  it("retries a 500 and succeeds", async () => {
    github.fail({ path: COMMENTS, kind: "server-error" });
    const { status } = await listComments();
    expect(status).toBe(200);
    expect(github.requestsTo("GET", COMMENTS)).toHaveLength(2);
  });

  it("retries a dropped connection and succeeds", async () => {
    github.fail({ path: COMMENTS, kind: "network" });
    const { status } = await listComments();
    expect(status).toBe(200);
    expect(github.requestsTo("GET", COMMENTS)).toHaveLength(2);
  });

  it("waits out a 403 primary rate limit (x-ratelimit-remaining: 0) and succeeds", async () => {
    github.fail({ path: COMMENTS, kind: "rate-limit" });
    const { status } = await listComments();
    expect(status).toBe(200);
    expect(github.requestsTo("GET", COMMENTS)).toHaveLength(2);
  });

  it("waits out a 429 secondary rate limit (retry-after) and succeeds, once", async () => {
    github.fail({ path: COMMENTS, kind: "secondary-rate-limit", retryAfterSeconds: 2 });
    const { status } = await listComments();
    expect(status).toBe(200);
    expect(github.requestsTo("GET", COMMENTS)).toHaveLength(2);
  });

  it("does not wait for a rate limit that lifts in an hour", async () => {
    github.fail({ path: COMMENTS, kind: "rate-limit", resetInSeconds: 3600 });
    await expect(listComments()).rejects.toMatchObject({ status: 403 });
    expect(github.requestsTo("GET", COMMENTS)).toHaveLength(1);
  });

  it("gives up on a persistent 5xx after its retries", async () => {
    github.fail({ path: COMMENTS, kind: "server-error", times: 10 });
    await expect(listComments({ retries: 2 })).rejects.toMatchObject({ status: 500 });
    expect(github.requestsTo("GET", COMMENTS)).toHaveLength(3);
  });

  it("authenticates as a GitHub App installation, looked up once per repository", async () => {
    github.addRepository("acme/web", { installationId: 77 });
    github.addPullRequest("acme/web", 1);
    const app = client({ auth: { appId: 4242, privateKey: appKeys.privateKey } });

    const first = await app.forRepository(REPO);
    await first.rest.issues.listComments({ owner: "acme", repo: "api", issue_number: 7 });
    const again = await app.forRepository("ACME/API");
    await again.rest.issues.listComments({ owner: "acme", repo: "api", issue_number: 7 });
    const web = await app.forRepository("acme/web");
    await web.rest.issues.listComments({ owner: "acme", repo: "web", issue_number: 1 });

    expect(github.requestsTo("GET", /\/installation$/).map((r) => [r.path, r.auth])).toEqual([
      ["/repos/acme/api/installation", "jwt"],
      ["/repos/acme/web/installation", "jwt"],
    ]);
    // Same installation: one installation token, minted with the App's JWT, reused.
    expect(github.requestsTo("POST", "/app/installations/77/access_tokens").map((r) => r.auth)).toEqual(["jwt"]);
    expect(github.requestsTo("GET", /\/comments$/).map((r) => r.auth)).toEqual(["token", "token", "token"]);
  });

  it("looks an installation up again after a failed look-up", async () => {
    github.addRepository("acme/new");
    const app = client({ auth: { appId: 4242, privateKey: appKeys.privateKey } });
    await expect(app.forRepository("acme/new")).rejects.toMatchObject({ status: 404 });
    await expect(app.forRepository("acme/new")).rejects.toMatchObject({ status: 404 });
    expect(github.requestsTo("GET", "/repos/acme/new/installation")).toHaveLength(2);
  });

  it("refuses an App whose key does not match", async () => {
    const other = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const app = client({ auth: { appId: 4242, privateKey: other.privateKey } });
    await expect(app.forRepository(REPO)).rejects.toMatchObject({ status: 401 });
  });

  it("links to github.com for api.github.com, and to the host for GitHub Enterprise Server", () => {
    const log = createRecordingLogger();
    expect(createGitHubClient({ auth: { token: "t" }, log }).webUrl).toBe("https://github.com");
    expect(createGitHubClient({ auth: { token: "t" }, log, baseUrl: "https://ghe.acme.test/api/v3" }).webUrl).toBe(
      "https://ghe.acme.test",
    );
  });
});
