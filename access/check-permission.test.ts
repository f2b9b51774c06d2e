import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStackforkError } from "../core/errors.ts";
import type { Principal } from "../core/principal.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { type AccessTarget, createPermissionCheck, type PermissionCheckOptions } from "./check-permission.ts";
import { createRepositoryPermissionReader } from "./read-repository-permission.ts";
import { createTeamMembershipReader } from "./read-team-membership.ts";

const TOKEN = "ghp_test_token";
const repositories = ["acme/api", "acme/web"];
let github: GitHubApiDouble;
let clock: Date;

beforeEach(async () => {
  clock = new Date("2030-01-01T00:00:00.000Z");
  github = await startGitHubApiDouble({ tokens: [TOKEN] });
  for (const repository of repositories) github.addRepository(repository);
  github.setPermission("acme/api", "reader", "read");
  github.setPermission("acme/api", "triager", "triage");
  github.setPermission("acme/api", "writer", "write");
  github.setPermission("acme/web", "writer", "read");
  github.setPermission("acme/api", "maintainer", "maintain");
  github.setPermission("acme/api", "owner", "admin");
  github.setPermission("acme/web", "owner", "admin");
  github.setPermission("acme/api", "repo-admin", "admin");
  github.addTeamMember("acme/platform", "platform-person");
});
afterEach(async () => {
  await github.close();
});

function check(options: Partial<PermissionCheckOptions> = {}) {
  const client = createGitHubClient({
    auth: { token: TOKEN },
    baseUrl: github.baseUrl,
    log: createRecordingLogger(),
    retryAfterBaseMs: 1,
    retries: 0,
  });
  return createPermissionCheck({
    readPermission: createRepositoryPermissionReader(client),
    readTeamMembership: createTeamMembershipReader({ client, repositories }),
    adminTeam: "acme/platform",
    repositories,
    now: () => clock,
    ...options,
  });
}

const person = (login: string): Principal => ({ kind: "person", login });
const api: AccessTarget = { repository: "acme/api", kind: "branch" };
const web: AccessTarget = { repository: "acme/web", kind: "branch" };
const githubAsked = (path: RegExp) => github.requests.filter((r) => path.test(r.path)).length;

describe("createPermissionCheck", () => {
  it("lets a person read, write or administer by their permission on the environment's repository", async () => {
    const access = check();
    const table = async (login: string, target: AccessTarget) =>
      [
        await access.allows(person(login), "read", target),
        await access.allows(person(login), "write", target),
        await access.allows(person(login), "admin", target),
      ].join(" ");
    expect(await table("reader", api)).toBe("true false false");
    expect(await table("triager", api)).toBe("true false false");
    expect(await table("writer", api)).toBe("true true false");
    expect(await table("Writer", web)).toBe("true false false");
    expect(await table("maintainer", api)).toBe("true true false");
    expect(await table("repo-admin", api)).toBe("true true false");
    expect(await table("stranger", api)).toBe("false false false");
  });

  it("makes the admin team's members and admins of every configured repository admins of the platform", async () => {
    const access = check();
    expect(await access.isAdmin(person("platform-person"))).toBe(true);
    expect(await access.allows(person("platform-person"), "admin")).toBe(true);
    expect(await access.allows(person("platform-person"), "write", web)).toBe(true);
    expect(await access.isAdmin(person("owner"))).toBe(true);
    expect(await access.isAdmin(person("repo-admin"))).toBe(false);
    expect(await access.allows(person("repo-admin"), "admin")).toBe(false);
    expect(await access.allows(person("writer"), "admin")).toBe(false);
  });

  it("gives a person their own sandboxes whatever their permission, and nobody else's", async () => {
    const access = check();
    const own: AccessTarget = { repository: "acme/web", kind: "sandbox", owner: "Stranger" };
    expect(await access.allows(person("stranger"), "read", own)).toBe(true);
    expect(await access.allows(person("stranger"), "write", own)).toBe(true);
    expect(await access.allows(person("stranger"), "admin", own)).toBe(false);
    expect(await access.allows(person("reader"), "write", { ...own, repository: "acme/api" })).toBe(false);
  });

  it("lets a named token do what its scopes say on every repository, and the API token everything", async () => {
    const access = check();
    const token = (...scopes: ("read" | "write" | "admin")[]): Principal => ({ kind: "token", name: "t", scopes });
    expect(await access.allows(token("read"), "read", api)).toBe(true);
    expect(await access.allows(token("read"), "write", api)).toBe(false);
    expect(await access.allows(token("read", "write"), "write", web)).toBe(true);
    expect(await access.allows(token("read", "write"), "admin")).toBe(false);
    expect(await access.allows(token("admin"), "admin")).toBe(true);
    expect(await access.allows(token("admin"), "write", api)).toBe(true);
    expect(await access.allows({ kind: "api_token" }, "admin")).toBe(true);
    expect(githubAsked(/./)).toBe(0);
  });

  it("shows a person the configured repositories they may read and their own sandboxes; admins and tokens see all", async () => {
    const access = check();
    const sees = await access.visibility(person("reader"));
    expect(sees?.(api)).toBe(true);
    expect(sees?.({ repository: "ACME/API" })).toBe(true);
    expect(sees?.(web)).toBe(false);
    expect(sees?.({ repository: "acme/web", kind: "sandbox", owner: "reader" })).toBe(true);
    expect(sees?.({ repository: "acme/web", kind: "sandbox", owner: "someone" })).toBe(false);
    expect(sees?.({ repository: "other/unlisted" })).toBe(false);
    expect(await access.visibility(person("platform-person"))).toBeUndefined();
    expect(await access.visibility({ kind: "token", name: "t", scopes: ["read"] })).toBeUndefined();
    expect(await access.visibility({ kind: "api_token" })).toBeUndefined();
  });

  it("asks GitHub once per person and repository while its answer is fresh, and again after", async () => {
    const access = check({ cacheMs: 60_000 });
    const permissionPath = /acme\/api\/collaborators\/reader\/permission$/;
    for (let i = 0; i < 5; i++) await access.allows(person("reader"), "read", api);
    expect(githubAsked(permissionPath)).toBe(1);
    github.setPermission("acme/api", "reader", "write");
    clock = new Date(clock.getTime() + 59_000);
    expect(await access.allows(person("reader"), "write", api)).toBe(false);
    clock = new Date(clock.getTime() + 2_000);
    expect(await access.allows(person("reader"), "write", api)).toBe(true);
    expect(githubAsked(permissionPath)).toBe(2);
  });

  it("refuses with GITHUB_UNAVAILABLE when GitHub cannot answer, and does not keep the failure", async () => {
    const access = check();
    const running = github;
    await running.close();
    const err = await access.allows(person("writer"), "write", api).catch((e: unknown) => e);
    expect(isStackforkError(err, "GITHUB_UNAVAILABLE")).toBe(true);
  });

  it("lets people do nothing without GitHub (offline), but their own sandboxes", async () => {
    const access = createPermissionCheck({ repositories, now: () => clock });
    expect(await access.allows(person("owner"), "read", api)).toBe(false);
    expect(
      await access.allows(person("owner"), "write", { repository: "acme/api", kind: "sandbox", owner: "owner" }),
    ).toBe(true);
    expect((await access.visibility(person("owner")))?.(api)).toBe(false);
  });
});
