import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { isStackforkError } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createSourceReader, type ReadSource } from "../source/create-source-reader.ts";
import { buildTarball } from "../test/support/build-tarball.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { createGitHubClient } from "./create-github-client.ts";
import { createGitHubSourceReader } from "./create-github-source-reader.ts";

const TOKEN = "ghp_source_test";
const REPO = "acme/api";
const repository: RepositoryConfig = {
  name: REPO,
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};
const environment: Environment = {
  id: "env-1",
  name: "api-feature-login",
  kind: "branch",
  repository: REPO,
  branch: "feature/login",
  status: "deploying",
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};

let work: string;
let sourcesDir: string;
let github: GitHubApiDouble;
let sha: string;

/** A real commit, and its tarball exactly as GitHub makes it: `git archive` with `<owner>-<repo>-<sha7>/`. */
function commitFixture(dir: string): { sha: string; tarball: Buffer } {
  mkdirSync(path.join(dir, "stacks/service"), { recursive: true });
  writeFileSync(path.join(dir, "README.md"), "fixture\n");
  writeFileSync(path.join(dir, "stacks/service/index.ts"), "export default async () => ({ url: 'x' });\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args], {
      encoding: "utf8",
    }).trim();
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", "initial");
  const head = git("rev-parse", "HEAD");
  const tarball = execFileSync("git", [
    "-C",
    dir,
    "archive",
    "--format=tar.gz",
    `--prefix=acme-api-${head.slice(0, 7)}/`,
    head,
  ]);
  return { sha: head, tarball };
}

beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), "stackfork-gh-source-"));
  sourcesDir = path.join(work, "sources");
  const fixture = commitFixture(path.join(work, "repo"));
  sha = fixture.sha;
  github = await startGitHubApiDouble({ tokens: [TOKEN] });
  github.addRepository(REPO);
  github.addCommit(REPO, sha, fixture.tarball);
  github.setBranch(REPO, "feature/login", sha);
});
afterEach(async () => {
  await github.close();
  rmSync(work, { recursive: true, force: true });
});

function reader(options: { maxBytes?: number } = {}): ReadSource {
  const log = createRecordingLogger();
  const client = createGitHubClient({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    log,
    retryAfterBaseMs: 1,
    writeIntervalMs: 0,
  });
  return createGitHubSourceReader({ client, sourcesDir, log, ...options });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStackforkError(err)) throw new Error(`expected a StackforkError, got ${String(err)}`);
  return err.code;
}

describe("createGitHubSourceReader", () => {
  it("downloads the commit's tarball through the redirect and extracts it, cached by SHA", async () => {
    const checkout = await reader()({ repository, environment, commitSha: sha });

    expect(checkout).toEqual({ commitSha: sha, dir: path.join(sourcesDir, "acme-api", sha) });
    expect(readFileSync(path.join(checkout.dir, "README.md"), "utf8")).toBe("fixture\n");
    expect(existsSync(path.join(checkout.dir, "stacks/service/index.ts"))).toBe(true);
    expect(github.requests.map((r) => [r.server, r.method, r.path, r.auth])).toEqual([
      ["api", "GET", `/repos/acme/api/tarball/${sha}`, "token"],
      // fetch follows the 302 and, the origin being another, drops the Authorization header
      ["codeload", "GET", `/acme/api/legacy.tar.gz/${sha}`, "none"],
    ]);
    expect(readdirSync(path.join(sourcesDir, "acme-api"))).toEqual([sha]);
  });

  it("reads a SHA it already has from the cache, asking GitHub nothing", async () => {
    const read = reader();
    await read({ repository, environment, commitSha: sha });
    const asked = github.requests.length;
    const again = await reader()({ repository, environment, commitSha: sha });
    await read({ repository, environment, commitSha: sha });
    expect(again.dir).toBe(path.join(sourcesDir, "acme-api", sha));
    expect(github.requests).toHaveLength(asked);
  });

  it("takes the head of the branch when no SHA is given (a branch name with a slash)", async () => {
    const checkout = await reader()({ repository, environment });
    expect(checkout.commitSha).toBe(sha);
    expect(github.requests[0]?.path).toBe("/repos/acme/api/branches/feature%2Flogin");
  });

  it("resolves a short SHA", async () => {
    const checkout = await reader()({ repository, environment, commitSha: sha.slice(0, 7) });
    expect(checkout.commitSha).toBe(sha);
  });

  it("is the source of a repository without localPath in createSourceReader", async () => {
    const read = createSourceReader({ sourcesDir, fromGitHub: reader() });
    const checkout = await read({ repository, environment, commitSha: sha });
    expect(existsSync(path.join(checkout.dir, "README.md"))).toBe(true);
  });

  it("answers SOURCE_NOT_FOUND for an unknown commit or branch, and caches nothing", async () => {
    const read = reader();
    expect(await codeOf(read({ repository, environment, commitSha: "f".repeat(40) }))).toBe("SOURCE_NOT_FOUND");
    expect(await codeOf(read({ repository, environment: { ...environment, branch: "gone" } }))).toBe(
      "SOURCE_NOT_FOUND",
    );
    expect(await codeOf(read({ repository, environment, commitSha: "--upload-pack=x" }))).toBe("SOURCE_NOT_FOUND");
    expect(existsSync(sourcesDir) ? readdirSync(sourcesDir, { recursive: true }) : []).toEqual([]);
  });

  it("retries a 500 of the tarball endpoint and succeeds", async () => {
    github.fail({ path: `/repos/acme/api/tarball/${sha}`, kind: "server-error" });
    const checkout = await reader()({ repository, environment, commitSha: sha });
    expect(existsSync(path.join(checkout.dir, "README.md"))).toBe(true);
    expect(github.requestsTo("GET", `/repos/acme/api/tarball/${sha}`)).toHaveLength(2);
  });

  it("refuses a tarball with a link to /etc and leaves nothing in the cache", async () => {
    const evil = "e".repeat(40);
    github.addCommit(
      REPO,
      evil,
      buildTarball([
        { path: "acme-api-eeeeeee/README.md", body: "hi" },
        { path: "acme-api-eeeeeee/etc", type: "SymbolicLink", linkpath: "/etc" },
      ]),
    );
    expect(await codeOf(reader()({ repository, environment, commitSha: evil }))).toBe("ARCHIVE_UNSAFE");
    expect(readdirSync(path.join(sourcesDir, "acme-api"))).toEqual([]);
  });

  it("refuses a tarball over the size cap", async () => {
    expect(await codeOf(reader({ maxBytes: 10 })({ repository, environment, commitSha: sha }))).toBe(
      "ARCHIVE_TOO_LARGE",
    );
    expect(readdirSync(path.join(sourcesDir, "acme-api"))).toEqual([]);
  });

  it("answers GITHUB_UNAVAILABLE when GitHub is down", async () => {
    const read = reader();
    await github.close();
    expect(await codeOf(read({ repository, environment, commitSha: sha }))).toBe("GITHUB_UNAVAILABLE");
  });
});
