import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPermissionCheck } from "../access/check-permission.ts";
import { createPersonSessions } from "../access/create-person-sessions.ts";
import { createRepositoryPermissionReader } from "../access/read-repository-permission.ts";
import { createTeamMembershipReader } from "../access/read-team-membership.ts";
import { createGitHubClient } from "../github/create-github-client.ts";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedCost } from "../test/support/seed-cost.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { SESSION_COOKIE } from "./create-request-access.ts";

/** The rows' names in the order the page lists them. */
function namesInOrder(body: string): string[] {
  return [...body.matchAll(/<td data-label="Name" class="long"><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1] ?? "");
}

// The real app on a real SQLite registry: costs saved through the registry's cost store, read by the pages.
describe("cost on the dashboard", () => {
  let h: DashboardHarness;
  let ids: Record<string, string>;
  beforeEach(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }, { name: "acme/web" }] });
    const seed = async (branch: string, repository = "acme/api") =>
      (await seedEnvironment(h.registry, { kind: "branch", repository, branch }, "ready", h.now())).id;
    ids = { cheap: await seed("cheap"), busy: await seed("busy"), idle: await seed("idle", "acme/web") };
    ids.sandbox = (
      await seedEnvironment(
        h.registry,
        { kind: "sandbox", repository: "acme/web", owner: "octocat", branch: "main" },
        "ready",
        h.now(),
      )
    ).id;
    ids.unmeasured = await seed("unmeasured");
    const measuredAt = h.now().toISOString();
    await seedCost(h.registry, ids.cheap as string, {
      measuredAt,
      last30dUsd: 0.0003,
      last24hUsd: 0.0004,
      idleMonthlyUsd: 0.00002,
    });
    await seedCost(
      h.registry,
      ids.busy as string,
      { measuredAt, last30dUsd: 1.25, idleMonthlyUsd: 0.5 },
      [0.01, 0, 0.2, 1.04],
    );
    await seedCost(h.registry, ids.idle as string, { measuredAt, last30dUsd: 0, idleMonthlyUsd: 0 });
    await seedCost(h.registry, ids.sandbox as string, { measuredAt, last30dUsd: 0.02, estimated: true });
  });
  afterEach(async () => h.close());

  it("shows each environment's cost: sub-cent figures as they are, zero as $0, estimates marked, none yet said", async () => {
    const page = await h.app.inject("/");
    expect(page.statusCode).toBe(200);
    const row = (name: string) => page.body.split("<tr>").find((r) => r.includes(`>${name}</a>`)) ?? "";
    expect(row("api-cheap")).toContain(">$0.0003</abbr>");
    expect(row("api-cheap")).toMatch(/title="[^"]*last 24 h \$0\.0004[^"]*idle \$0\.00002 a month/);
    expect(row("api-cheap")).not.toContain("$0.00<");
    expect(row("web-idle")).toContain(">$0</abbr>");
    expect(row("web-idle")).toContain("idle costs nothing");
    expect(row("api-unmeasured")).toContain("not measured yet");
    expect(
      page.body.split("<tr>").filter((r) => r.includes('class="estimated"') && r.includes("data-label")),
    ).toHaveLength(1);
  });

  it("sorts by cost on the server, through links that keep the filters, and pages on", async () => {
    const list = await h.app.inject("/?repository=acme%2Fapi");
    expect(list.body).toContain('href="/?repository=acme%2Fapi&amp;sort=cost"');
    const sorted = await h.app.inject("/?sort=cost");
    expect(namesInOrder(sorted.body)).toEqual([
      "api-busy",
      expect.stringMatching(/^web-sb-octocat/),
      "api-cheap",
      "web-idle",
      "api-unmeasured",
    ]);
    expect(sorted.body).toContain('aria-sort="descending"');
    const idle = await h.app.inject("/?sort=idle&repository=acme%2Fapi");
    expect(namesInOrder(idle.body)).toEqual(["api-busy", "api-cheap", "api-unmeasured"]);
    // A cursor of another order is not this list's: the first page, said so.
    const stale = await h.app.inject("/?sort=cost&cursor=idle%3A50");
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toContain("no longer valid");
  });

  it("sums the live environments per repository and per owner", async () => {
    const page = await h.app.inject("/");
    const totals = page.body.slice(page.body.indexOf('id="cost-totals-heading"'));
    const rowOf = (key: string) => totals.split("<tr>").find((r) => r.includes(`<th scope="row">${key}</th>`)) ?? "";
    expect(rowOf("acme/api")).toContain("$1.25"); // 1.25 + 0.0003
    expect(rowOf("acme/api")).toContain("(1 not measured yet)");
    expect(rowOf("acme/web")).toContain("$0.02");
    expect(rowOf("octocat")).toContain('class="estimated"');
    expect(rowOf("no owner (branches, pull requests)")).toContain("$1.25");
  });

  it("shows the ten costliest owners and links to the rest; no totals before any measurement", async () => {
    for (let i = 0; i < 11; i++) {
      const owner = `dev-${i}`;
      const { id } = await seedEnvironment(
        h.registry,
        { kind: "sandbox", repository: "acme/api", owner, branch: "main" },
        "ready",
        h.now(),
      );
      await seedCost(h.registry, id, { measuredAt: h.now().toISOString(), last30dUsd: 0.1 + i / 100 });
    }
    const page = await h.app.inject("/");
    expect(page.body).toContain('Per owner: the 10 costliest of 13 (<a href="/api/cost?by=owner">all of them</a>)');
    expect(page.body).toContain('<th scope="row">dev-10</th>');
    expect(page.body).not.toContain('<th scope="row">dev-0</th>');

    const empty = await createDashboardHarness();
    try {
      await seedEnvironment(
        empty.registry,
        { kind: "branch", repository: "acme/api", branch: "new" },
        "ready",
        empty.now(),
      );
      const fresh = await empty.app.inject("/");
      expect(fresh.body).toContain("not measured yet");
      expect(fresh.body).not.toContain("cost-totals-heading");
    } finally {
      await empty.close();
    }
  });

  it("draws the daily cost on the environment's page as an accessible SVG, its figures also as text", async () => {
    const page = await h.app.inject(`/environments/${ids.busy}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<svg [^>]*role="img" aria-labelledby="cost-chart-title cost-chart-desc"/);
    expect(page.body).toContain(
      '<desc id="cost-chart-desc">$1.25 over 30 days from 2026-10-29 to 2026-11-27; the costliest day 2026-11-27, $1.04.</desc>',
    );
    expect(page.body.match(/<rect class="bar"/g)).toHaveLength(30);
    expect(page.body).toContain('<tr><td>2026-11-26</td><td class="num">$0.20</td></tr>');
    expect(page.body).toContain("priced with us-east-1 prices of 2026-12-07");
    const unmeasured = await h.app.inject(`/environments/${ids.unmeasured}`);
    expect(unmeasured.body).toContain("Not measured yet");
    expect(unmeasured.body).not.toContain("<svg");
  });

  it("shows the platform's own cost from its history, priced with the same table", async () => {
    await h.registry.appendEvent({
      environmentId: ids.busy as string,
      at: h.now().toISOString(),
      type: "deploy_succeeded",
      message: "ready",
      jobId: "job-1",
      durationMs: 60_000,
    });
    await h.registry.appendEvent({
      environmentId: ids.busy as string,
      at: h.now().toISOString(),
      type: "deploy_started",
      message: "started",
      jobId: "job-1",
      deliveryId: "delivery-1",
    });
    const page = await h.app.inject("/cost");
    expect(page.statusCode).toBe(200);
    const cell = (what: string) => page.body.split("<tr>").find((r) => r.includes(what)) ?? "";
    expect(cell("Webhook deliveries")).toContain('<td class="num">1</td>');
    expect(cell("Jobs (deploys, destroys)")).toContain('<td class="num">1</td>');
    expect(cell("Reaper runs")).toContain('<td class="num">8,640</td>');
    // One job: 60 s at 2 GB (120 GB-s) and 106 writes, plus the invocation: about $0.0017.
    expect(cell("Jobs (deploys, destroys)")).toContain('<td class="num">$0.0017</td>');
  });
});

// Access by GitHub permission (issue 22): a person who may see some repositories only.
describe("cost pages for a person who may not see every repository", () => {
  const TOKEN = "ghp_platform_cost";
  const repositories = ["acme/api", "acme/web"];
  let github: GitHubApiDouble;
  let h: DashboardHarness;
  beforeAll(async () => {
    github = await startGitHubApiDouble({ tokens: [TOKEN] });
    for (const repository of repositories) github.addRepository(repository);
    github.setPermission("acme/api", "mona", "read");
    const client = createGitHubClient({
      auth: { token: TOKEN },
      baseUrl: github.baseUrl,
      log: createRecordingLogger(),
      retries: 0,
      retryAfterBaseMs: 1,
    });
    let clock = () => new Date();
    h = await createDashboardHarness({
      repositories: repositories.map((name) => ({ name })),
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
    for (const [repository, usd] of [
      ["acme/api", 0.5],
      ["acme/web", 7],
    ] as const) {
      const { id } = await seedEnvironment(h.registry, { kind: "branch", repository, branch: "x" }, "ready", h.now());
      await seedCost(h.registry, id, { measuredAt: h.now().toISOString(), last30dUsd: usd });
    }
  });
  afterAll(async () => {
    await h?.close();
    await github?.close();
  });

  it("keeps the platform's cost and the totals over every repository from them; the API token sees them", async () => {
    const { secret } = await createPersonSessions({ store: h.registry, now: h.now }).startPersonSession({
      login: "mona",
      via: "page",
    });
    const cookies = { [SESSION_COOKIE]: secret };
    const platform = await h.app.inject({ url: "/cost", cookies });
    expect(platform.statusCode).toBe(403);
    expect(platform.body).toContain("FORBIDDEN");
    for (const url of ["/", "/?sort=cost"]) {
      const list = await h.app.inject({ url, cookies });
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain(">api-x</a>");
      expect(list.body).not.toContain(">web-x</a>");
      expect(list.body).not.toContain("cost-totals-heading");
      expect(list.body).not.toContain("$7.00");
    }
    expect((await h.app.inject({ url: "/cost", headers: h.bearer })).statusCode).toBe(200);
  });
});
