import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPermissionCheck } from "../access/check-permission.ts";
import { createPersonSessions } from "../access/create-person-sessions.ts";
import { createRepositoryPermissionReader } from "../access/read-repository-permission.ts";
import { createTeamMembershipReader } from "../access/read-team-membership.ts";
import type { Environment } from "../core/environment.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

const GITHUB_TOKEN = "ghp_platform";
const repositories = ["acme/api", "acme/web"];
let github: GitHubApiDouble;
let h: DashboardHarness;
let api: Environment;
let web: Environment;
let strangersSandbox: Environment;

beforeEach(async () => {
  github = await startGitHubApiDouble({ tokens: [GITHUB_TOKEN] });
  for (const repository of repositories) github.addRepository(repository);
  github.setPermission("acme/api", "reader", "read");
  github.setPermission("acme/api", "writer", "write");
  github.setPermission("acme/web", "writer", "write");
  github.addTeamMember("acme/platform", "lead");
  const client = createGitHubClient({
    auth: { token: GITHUB_TOKEN },
    baseUrl: github.baseUrl,
    log: createRecordingLogger(),
    retries: 0,
    retryAfterBaseMs: 1,
  });
  let clock = () => new Date();
  h = await createDashboardHarness({
    repositories: repositories.map((name) => ({ name })),
    // A server off loopback: nothing is read without a principal.
    readsOpen: false,
    permissions: createPermissionCheck({
      readPermission: createRepositoryPermissionReader(client),
      readTeamMembership: createTeamMembershipReader({ client, repositories }),
      adminTeam: "acme/platform",
      repositories,
      now: () => clock(),
    }),
  });
  clock = h.now;
  api = await seedEnvironment(h.registry, { kind: "branch", repository: "acme/api", branch: "a" }, "ready", h.now());
  web = await seedEnvironment(h.registry, { kind: "branch", repository: "acme/web", branch: "w" }, "ready", h.now());
  strangersSandbox = await seedEnvironment(
    h.registry,
    { kind: "sandbox", repository: "acme/web", owner: "reader", branch: "main" },
    "failed",
    h.now(),
  );
});
afterEach(async () => {
  await h.close();
  await github.close();
});

/** A person's `stackfork login` token, as the device flow hands it out. */
async function personToken(login: string): Promise<{ authorization: string }> {
  const { secret } = await createPersonSessions({ store: h.registry, now: h.now }).startPersonSession({
    login,
    via: "cli",
  });
  return { authorization: `Bearer ${secret}` };
}
const codeOf = (response: { json: () => unknown }) => (response.json() as { error?: { code?: string } }).error?.code;
const ids = (response: { json: () => unknown }) =>
  (response.json() as { environments: Environment[] }).environments.map((e) => e.id).sort();

describe("access by GitHub permission (issue 22)", () => {
  it("shows a read-only person only their repositories' environments and their own sandboxes, others not even by id", async () => {
    const reader = await personToken("reader");
    expect(ids(await h.app.inject({ url: "/api/environments", headers: reader }))).toEqual(
      [api.id, strangersSandbox.id].sort(),
    );
    expect(ids(await h.app.inject({ url: "/api/environments?repository=acme/web", headers: reader }))).toEqual([
      strangersSandbox.id,
    ]);
    for (const url of [
      `/api/environments/${web.id}`,
      `/api/environments/${web.id}/logs`,
      `/api/environments/${web.id}/config`,
      `/api/environments/${web.id}/cost`,
    ]) {
      const hidden = await h.app.inject({ url, headers: reader });
      expect(hidden.statusCode, url).toBe(404);
      expect(codeOf(hidden)).toBe("NOT_FOUND");
    }
    expect((await h.app.inject({ url: `/api/environments/${api.id}`, headers: reader })).statusCode).toBe(200);
    // Not even counted: the dashboard's counts are the person's.
    const page = await h.app.inject({ url: "/", headers: reader });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(web.id);
    expect(ids(await h.app.inject({ url: "/api/environments", headers: h.bearer }))).toHaveLength(3);
  });

  it("refuses a read-only person's changes with 403 FORBIDDEN, and hides the others' with 404; their own sandbox is theirs", async () => {
    const reader = await personToken("reader");
    const destroy = await h.app.inject({ method: "DELETE", url: `/api/environments/${api.id}`, headers: reader });
    expect(destroy.statusCode).toBe(403);
    expect(codeOf(destroy)).toBe("FORBIDDEN");
    const hidden = await h.app.inject({ method: "DELETE", url: `/api/environments/${web.id}`, headers: reader });
    expect(hidden.statusCode).toBe(404);
    const sandbox = await h.app.inject({
      method: "POST",
      url: `/api/environments/${api.id}/extend`,
      headers: reader,
      payload: { hours: 2 },
    });
    expect(sandbox.statusCode).toBe(403);
    const own = await h.app.inject({
      method: "POST",
      url: `/api/environments/${strangersSandbox.id}/redeploy`,
      headers: reader,
    });
    expect(own.statusCode).toBe(202);
    expect(await h.queue.listPending(api.id)).toEqual([]);
    expect(await h.queue.listPending(web.id)).toEqual([]);
  });

  it("lets a person with write access destroy, and history names them and how they asked", async () => {
    const writer = await personToken("writer");
    const byCli = await h.app.inject({
      method: "DELETE",
      url: `/api/environments/${api.id}`,
      headers: { ...writer, "x-stackfork-client": "cli" },
    });
    expect(byCli.statusCode).toBe(202);
    const byApi = await h.app.inject({ method: "POST", url: `/api/environments/${web.id}/redeploy`, headers: writer });
    expect(byApi.statusCode).toBe(202);
    expect((await h.registry.listEvents(api.id)).at(-1)).toMatchObject({
      type: "destroy_requested",
      actor: "writer",
      via: "cli",
    });
    expect(
      (await h.app.inject({ url: `/api/environments/${web.id}`, headers: writer })).json().events.at(-1),
    ).toMatchObject({
      type: "deploy_requested",
      actor: "writer",
      via: "api",
    });
    const [job] = await h.queue.listPending(api.id);
    expect(job?.reason).toMatchObject({ actor: "writer", via: "cli" });
  });

  it("keeps orphans and reconciliation to admins: the admin team, not a repository's writer", async () => {
    const writer = await personToken("writer");
    const lead = await personToken("lead");
    expect(codeOf(await h.app.inject({ url: "/api/orphans", headers: writer }))).toBe("FORBIDDEN");
    // This server keeps no Pulumi state: an admin gets past the check to the route's own 404.
    expect(codeOf(await h.app.inject({ url: "/api/orphans", headers: lead }))).toBe("NOT_FOUND");
    expect(ids(await h.app.inject({ url: "/api/environments", headers: lead }))).toHaveLength(3);
    const reconcile = await h.app.inject({ method: "POST", url: "/api/reconcile", headers: writer, payload: {} });
    expect(codeOf(reconcile)).toBe("FORBIDDEN");
  });
});

describe("the dashboard's pages by GitHub permission (issue 22)", () => {
  async function signedIn(login: string) {
    const { secret } = await createPersonSessions({ store: h.registry, now: h.now }).startPersonSession({
      login,
      via: "page",
    });
    return { stackfork_session: secret };
  }
  const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "";

  it("shows a read-only person no Destroy, Redeploy or Extend, and refuses their form with FORBIDDEN", async () => {
    const cookies = await signedIn("reader");
    const page = await h.app.inject({ url: `/environments/${api.id}`, cookies });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="read-only"');
    expect(page.body).not.toContain(">Destroy</button>");
    expect(page.body).not.toContain(">Redeploy</button>");
    expect((await h.app.inject({ url: `/environments/${web.id}`, cookies })).statusCode).toBe(404);
    const refused = await h.app.inject({
      method: "POST",
      url: `/environments/${api.id}/destroy`,
      cookies,
      payload: { _csrf: csrfOf(page.body), confirm: "yes" },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("FORBIDDEN");
    expect(await h.queue.listPending(api.id)).toEqual([]);
  });

  it("lets a writer destroy from the page, recorded under their login, via page, and shown so in the history", async () => {
    const cookies = await signedIn("writer");
    const page = await h.app.inject({ url: `/environments/${api.id}`, cookies });
    expect(page.body).toContain(">Destroy</button>");
    const done = await h.app.inject({
      method: "POST",
      url: `/environments/${api.id}/destroy`,
      cookies,
      payload: { _csrf: csrfOf(page.body), confirm: "yes" },
    });
    expect(done.statusCode).toBe(303);
    expect((await h.registry.listEvents(api.id)).at(-1)).toMatchObject({ actor: "writer", via: "page" });
    const after = await h.app.inject({ url: `/environments/${api.id}`, cookies });
    expect(after.body).toContain('<td data-label="Actor">writer</td>\n<td data-label="Via">page</td>');
  });
});

describe("named tokens (issue 22)", () => {
  const make = (name: string, scopes: string[], headers = h.bearer) =>
    h.app.inject({ method: "POST", url: "/api/tokens", headers, payload: { name, scopes } });

  it("are made by an admin, shown once, listed without the token, and act by their scopes", async () => {
    const made = await make("ci-reader", ["read"]);
    expect(made.statusCode).toBe(201);
    const { token, ...listed } = made.json();
    expect(token).toMatch(/^sft_/);
    expect(listed).toEqual({
      name: "ci-reader",
      scopes: ["read"],
      createdBy: "api-token",
      createdAt: h.now().toISOString(),
    });
    expect((await h.app.inject({ url: "/api/tokens", headers: h.bearer })).json()).toEqual({ tokens: [listed] });
    expect(JSON.stringify(await h.registry.listNamedTokens())).not.toContain(token);

    const reader = { authorization: `Bearer ${token}` };
    expect(ids(await h.app.inject({ url: "/api/environments", headers: reader }))).toHaveLength(3);
    const destroy = await h.app.inject({ method: "DELETE", url: `/api/environments/${api.id}`, headers: reader });
    expect(destroy.statusCode).toBe(403);
    expect(codeOf(destroy)).toBe("FORBIDDEN");

    const deployer = { authorization: `Bearer ${(await make("deployer", ["write"])).json().token}` };
    expect(codeOf(await make("nope", ["admin"], deployer))).toBe("FORBIDDEN");
    const done = await h.app.inject({ method: "DELETE", url: `/api/environments/${api.id}`, headers: deployer });
    expect(done.statusCode).toBe(202);
    expect((await h.registry.listEvents(api.id)).at(-1)).toMatchObject({ actor: "token:deployer", via: "api" });
  });

  it("stop working at once when revoked, and one live token per name", async () => {
    const token = (await make("ci", ["write"])).json().token as string;
    const bearer = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ url: "/api/environments", headers: bearer })).statusCode).toBe(200);
    expect(codeOf(await make("ci", ["read"]))).toBe("CONFLICT");
    const revoked = await h.app.inject({ method: "DELETE", url: "/api/tokens/ci", headers: h.bearer });
    expect(revoked.json()).toEqual({ revoked: true });
    const after = await h.app.inject({ url: "/api/environments", headers: bearer });
    expect(after.statusCode).toBe(401);
    expect(codeOf(after)).toBe("UNAUTHORIZED");
    expect(codeOf(await h.app.inject({ method: "DELETE", url: "/api/tokens/ci", headers: h.bearer }))).toBe(
      "NOT_FOUND",
    );
  });

  it("are an admin's to make, list and revoke: a writer may not", async () => {
    const writer = await personToken("writer");
    expect(codeOf(await make("mine", ["read"], writer))).toBe("FORBIDDEN");
    expect(codeOf(await h.app.inject({ url: "/api/tokens", headers: writer }))).toBe("FORBIDDEN");
    const lead = await personToken("lead");
    expect((await make("leads", ["read"], lead)).json()).toMatchObject({ createdBy: "lead" });
  });
});
