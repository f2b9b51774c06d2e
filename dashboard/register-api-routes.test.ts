import { existsSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errorCatalogue, StackforkError } from "../core/errors.ts";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { makeTarball } from "../test/support/make-tarball.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

const SHA = "a".repeat(40);
const stackTree = [
  { path: "stacks/", type: "Directory" as const },
  { path: "stacks/service/", type: "Directory" as const },
  { path: "stacks/service/index.ts", body: "export default async () => ({});\n" },
  { path: "README.md", body: "hello\n" },
];

describe("the JSON API", () => {
  let h: DashboardHarness;
  beforeEach(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }, { name: "acme/web" }] });
  });
  afterEach(async () => h.close());

  const post = (url: string, payload?: unknown, headers: Record<string, string> = h.bearer) =>
    h.app.inject({ method: "POST", url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const codeOf = (response: { json: () => unknown }) => (response.json() as { error?: { code?: string } }).error?.code;

  describe("auth", () => {
    it("refuses every change without the bearer token, or with a wrong one, with 401 UNAUTHORIZED", async () => {
      const env = await seedEnvironment(
        h.registry,
        { kind: "branch", repository: "acme/api", branch: "x" },
        "ready",
        h.now(),
      );
      const attempts = [
        { method: "POST" as const, url: "/api/environments", payload: { repository: "acme/api", owner: "octocat" } },
        { method: "POST" as const, url: `/api/environments/${env.id}/redeploy` },
        { method: "DELETE" as const, url: `/api/environments/${env.id}` },
        { method: "POST" as const, url: `/api/environments/${env.id}/extend`, payload: { hours: 2 } },
      ];
      for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "dashboard-test-token" }]) {
        for (const attempt of attempts) {
          const response = await h.app.inject({ ...attempt, headers });
          expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBe(401);
          expect(codeOf(response)).toBe("UNAUTHORIZED");
          expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
        }
      }
      expect(await h.queue.listPending()).toEqual([]);
    });

    it("refuses an upload without the token before reading its body", async () => {
      const response = await h.app.inject({
        method: "POST",
        url: "/api/environments?repository=acme/api&owner=octocat",
        headers: { "content-type": "application/gzip" },
        payload: Buffer.alloc(5 * 1024 * 1024), // over the limit: a 413 would mean it was read
      });
      expect(response.statusCode).toBe(401);
    });

    it("opens reads on loopback", async () => {
      expect((await h.app.inject("/api/environments")).statusCode).toBe(200);
      expect((await h.app.inject("/api/openapi.json")).statusCode).toBe(200);
    });

    it("refuses open reads under a Host this server does not serve (DNS rebinding) with 421 HOST_NOT_ALLOWED", async () => {
      const read = (host: string, headers: Record<string, string> = {}) =>
        h.app.inject({ url: "/api/environments", headers: { host, ...headers } });
      for (const host of ["evil.example", "evil.example:8080", "localhost.evil.example:8080"]) {
        const refused = await read(host);
        expect(refused.statusCode, host).toBe(421);
        expect(codeOf(refused)).toBe("HOST_NOT_ALLOWED");
        const page = await h.app.inject({ url: "/", headers: { host } });
        expect(page.statusCode, host).toBe(421);
        expect(page.body).toContain("HOST_NOT_ALLOWED");
      }
      for (const host of ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "localhost"])
        expect((await read(host)).statusCode, host).toBe(200);
      // The token proves who asks, whatever the name: the CLI may use any.
      expect((await read("evil.example", h.bearer)).statusCode).toBe(200);
    });

    it("takes the configured names and the bind host, and X-Forwarded-Host only from a trusted proxy", async () => {
      const named = await createDashboardHarness({
        allowedHosts: ["stackfork.acme.dev"],
        listen: { host: "dash.lan" },
      });
      const proxied = await createDashboardHarness({ trustProxy: true });
      try {
        const status = async (app: typeof h.app, headers: Record<string, string>) =>
          (await app.inject({ url: "/api/environments", headers })).statusCode;
        expect(await status(named.app, { host: "stackfork.acme.dev" })).toBe(200);
        expect(await status(named.app, { host: "stackfork.acme.dev.evil.example" })).toBe(421);
        expect(await status(named.app, { host: "dash.lan:8080" })).toBe(200);
        expect(await status(named.app, { host: "localhost:8080" })).toBe(200);
        // Not trusted: X-Forwarded-Host is anyone's header.
        expect(await status(named.app, { host: "evil.example", "x-forwarded-host": "localhost:8080" })).toBe(421);
        expect(await status(proxied.app, { host: "127.0.0.1:8080", "x-forwarded-host": "evil.example" })).toBe(421);
        expect(await status(proxied.app, { host: "evil.example", "x-forwarded-host": "localhost" })).toBe(200);
      } finally {
        await named.close();
        await proxied.close();
      }
    });

    it("closes reads off loopback unless the token (or a session) is shown", async () => {
      const closed = await createDashboardHarness({ readsOpen: false });
      try {
        for (const url of [
          "/api/environments",
          "/api/environments/x",
          "/api/environments/x/logs",
          "/api/openapi.json",
        ]) {
          const response = await closed.app.inject(url);
          expect(response.statusCode, url).toBe(401);
          expect(codeOf(response)).toBe("UNAUTHORIZED");
        }
        expect((await closed.app.inject({ url: "/api/environments", headers: closed.bearer })).statusCode).toBe(200);
        expect((await closed.app.inject("/healthz")).statusCode).toBe(200);
      } finally {
        await closed.close();
      }
    });
  });

  describe("POST /api/environments (sandbox from a ref)", () => {
    it("answers 202 with the sandbox, queues a deploy, and records the API token as the actor, via the API", async () => {
      const response = await post("/api/environments", { repository: "acme/api", owner: "Octocat", ref: "feature/x" });
      expect(response.statusCode).toBe(202);
      const body = response.json();
      expect(body).toMatchObject({
        kind: "sandbox",
        repository: "acme/api",
        owner: "Octocat",
        branch: "feature/x",
        status: "queued",
        name: "api-sb-octocat",
      });
      expect(body.jobId).toEqual(expect.any(String));
      const [job] = await h.queue.listPending(body.id);
      expect(job).toMatchObject({ id: body.jobId, type: "deploy", reason: { actor: "api-token", via: "api" } });
      expect(job?.commitSha).toBeUndefined(); // a branch: its head is taken when the job runs
      const events = await h.registry.listEvents(body.id);
      expect(events.map((e) => [e.type, e.actor, e.via])).toEqual([["deploy_requested", "api-token", "api"]]);
    });

    it("deploys a commit given as the ref, and the default branch when no ref is given", async () => {
      const byCommit = (await post("/api/environments", { repository: "acme/api", owner: "a", ref: SHA })).json();
      expect((await h.queue.listPending(byCommit.id))[0]?.commitSha).toBe(SHA);
      const byDefault = (await post("/api/environments", { repository: "acme/api", owner: "b" })).json();
      expect(byDefault.branch).toBe("main");
    });

    it("keeps one sandbox per owner and repository: asking again updates it, with the new ref", async () => {
      const first = (await post("/api/environments", { repository: "acme/api", owner: "octocat", ref: "one" })).json();
      const again = await post("/api/environments", { repository: "ACME/api", owner: "OCTOCAT", ref: "two" });
      expect(again.statusCode).toBe(202);
      expect(again.json()).toMatchObject({ id: first.id, branch: "two" });
      const list = (await h.app.inject("/api/environments?kind=sandbox")).json();
      expect(list.environments).toHaveLength(1);
    });

    it("refuses an owner over the configured limit with 409 QUOTA_EXCEEDED, and counts only live sandboxes", async () => {
      const limited = await createDashboardHarness({
        repositories: [{ name: "acme/api" }, { name: "acme/web" }],
        sandboxesPerOwner: 1,
      });
      try {
        const send = (repository: string) =>
          limited.app.inject({
            method: "POST",
            url: "/api/environments",
            headers: limited.bearer,
            payload: { repository, owner: "octocat" },
          });
        const first = await send("acme/api");
        expect(first.statusCode).toBe(202);
        expect((await send("acme/api")).statusCode).toBe(202); // the same sandbox again
        const over = await send("acme/web");
        expect(over.statusCode).toBe(409);
        expect(codeOf(over)).toBe("QUOTA_EXCEEDED");
        // Another owner is not affected.
        const other = await limited.app.inject({
          method: "POST",
          url: "/api/environments",
          headers: limited.bearer,
          payload: { repository: "acme/web", owner: "hubot" },
        });
        expect(other.statusCode).toBe(202);
      } finally {
        await limited.close();
      }
    });

    it.each([
      ["no owner", { repository: "acme/api" }],
      ["no repository", { owner: "octocat" }],
      ["an owner that is no GitHub login", { repository: "acme/api", owner: "oct cat" }],
      ["a repository that is not owner/name", { repository: "api", owner: "octocat" }],
      ["an unknown field", { repository: "acme/api", owner: "octocat", sha: SHA }],
      ["a ref with ..", { repository: "acme/api", owner: "octocat", ref: "a..b" }],
      ["a ref that starts with -", { repository: "acme/api", owner: "octocat", ref: "--upload-pack=x" }],
      ["a ref with a space", { repository: "acme/api", owner: "octocat", ref: "a b" }],
      ["a ref that is not a string", { repository: "acme/api", owner: "octocat", ref: { name: "x" } }],
    ])("answers 400 INVALID_INPUT, with a message, for %s", async (_what, payload) => {
      const response = await post("/api/environments", payload);
      expect(response.statusCode).toBe(400);
      expect(codeOf(response)).toBe("INVALID_INPUT");
      expect(response.json().error.message.length).toBeGreaterThan(10);
      expect(await h.queue.listPending()).toEqual([]);
    });

    it("answers 400 for malformed JSON, 415 for other content types, 400 REPOSITORY_NOT_CONFIGURED for others' repositories", async () => {
      const malformed = await h.app.inject({
        method: "POST",
        url: "/api/environments",
        headers: { ...h.bearer, "content-type": "application/json" },
        payload: "{ not json",
      });
      expect(malformed.statusCode).toBe(400);
      expect(codeOf(malformed)).toBe("INVALID_INPUT");
      const form = await h.app.inject({
        method: "POST",
        url: "/api/environments",
        headers: { ...h.bearer, "content-type": "application/x-www-form-urlencoded" },
        payload: "repository=acme/api&owner=octocat",
      });
      expect(form.statusCode).toBe(415);
      expect(codeOf(form)).toBe("UNSUPPORTED_MEDIA_TYPE");
      const unknown = await post("/api/environments", { repository: "other/repo", owner: "octocat" });
      expect(unknown.statusCode).toBe(400);
      expect(codeOf(unknown)).toBe("REPOSITORY_NOT_CONFIGURED");
    });
  });

  describe("POST /api/environments (sandbox from an uploaded tree)", () => {
    const upload = (archive: Buffer, query = "repository=acme/api&owner=octocat") =>
      h.app.inject({
        method: "POST",
        url: `/api/environments?${query}`,
        headers: { ...h.bearer, "content-type": "application/gzip" },
        payload: archive,
      });

    it("keeps the tree under the data dir and queues a deploy of its content hash", async () => {
      const response = await upload(makeTarball(stackTree));
      expect(response.statusCode).toBe(202);
      const body = response.json();
      expect(body).toMatchObject({ kind: "sandbox", owner: "octocat", branch: "(working tree)" });
      const [job] = await h.queue.listPending(body.id);
      expect(job?.commitSha).toMatch(/^upload-[0-9a-f]{16}$/);
      expect(existsSync(path.join(h.dir, "uploads", job?.commitSha ?? "", "stacks/service/index.ts"))).toBe(true);
      // The same bytes again: the same id, and the queued deploy is updated, not doubled.
      const again = await upload(makeTarball(stackTree));
      expect(again.statusCode).toBe(202);
      expect((await h.queue.listPending(body.id)).map((j) => j.commitSha)).toEqual([job?.commitSha]);
    });

    it("answers 400 without repository and owner in the query, and for a tree without the stack project", async () => {
      const noQuery = await upload(makeTarball(stackTree), "");
      expect(noQuery.statusCode).toBe(400);
      expect(codeOf(noQuery)).toBe("INVALID_INPUT");
      const noStack = await upload(makeTarball([{ path: "README.md", body: "x" }]));
      expect(noStack.statusCode).toBe(400);
      expect(codeOf(noStack)).toBe("UPLOAD_INVALID");
    });

    it.each([
      ["a .. path", [{ path: "../evil.txt", body: "x" }]],
      ["an absolute path", [{ path: "/tmp/evil.txt", body: "x" }]],
      ["a symbolic link out of the tree", [{ path: "stacks", type: "SymbolicLink" as const, linkpath: "/etc" }]],
      [
        "a hard link",
        [
          { path: "README.md", body: "x" },
          { path: "copy", type: "Link" as const, linkpath: "/etc/passwd" },
        ],
      ],
    ])("refuses %s whole, writing nothing", async (_what, entries) => {
      const response = await upload(makeTarball([...stackTree, ...entries]));
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(codeOf(response)).toMatch(/^ARCHIVE_/);
      expect(
        existsSync(path.join(h.dir, "uploads"))
          ? (await import("node:fs")).readdirSync(path.join(h.dir, "uploads"))
          : [],
      ).toEqual([]);
      expect(existsSync(path.join(h.dir, "evil.txt"))).toBe(false);
      expect(await h.queue.listPending()).toEqual([]);
    });

    it("refuses a body that is not gzip, and one over the size limit with 413", async () => {
      const garbage = await upload(Buffer.from("this is not a tarball"));
      expect(garbage.statusCode).toBe(422);
      expect(codeOf(garbage)).toBe("ARCHIVE_INVALID");
      const tooLarge = await upload(Buffer.alloc(2 * 1024 * 1024));
      expect(tooLarge.statusCode).toBe(413);
      expect(codeOf(tooLarge)).toBe("PAYLOAD_TOO_LARGE");
    });
  });

  describe("redeploy, destroy, extend", () => {
    const seedReady = () =>
      seedEnvironment(h.registry, { kind: "branch", repository: "acme/api", branch: "feature/x" }, "ready", h.now(), {
        commitSha: SHA,
        url: "http://127.0.0.1:1234",
        expiresAt: new Date(h.now().getTime() + 3_600_000).toISOString(),
      });

    it("redeploys the current commit: 202, a job at that SHA, history says the api asked", async () => {
      const env = await seedReady();
      const response = await post(`/api/environments/${env.id}/redeploy`);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ id: env.id, status: "queued", jobId: expect.any(String) });
      expect((await h.queue.listPending(env.id))[0]).toMatchObject({ type: "deploy", commitSha: SHA });
      const last = (await h.registry.listEvents(env.id)).at(-1);
      expect(last).toMatchObject({ type: "deploy_requested", actor: "api-token", via: "api" });
    });

    it("destroys: 202 and destroying; a destroyed environment answers 200 with why nothing was queued", async () => {
      const env = await seedReady();
      const response = await h.app.inject({ method: "DELETE", url: `/api/environments/${env.id}`, headers: h.bearer });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ status: "destroying" });
      expect((await h.registry.listEvents(env.id)).at(-1)).toMatchObject({
        type: "destroy_requested",
        actor: "api-token",
        via: "api",
      });

      const gone = await seedEnvironment(
        h.registry,
        { kind: "branch", repository: "acme/api", branch: "gone" },
        "destroyed",
        h.now(),
      );
      const again = await h.app.inject({ method: "DELETE", url: `/api/environments/${gone.id}`, headers: h.bearer });
      expect(again.statusCode).toBe(200);
      expect(again.json().ignored).toEqual(expect.any(String));
    });

    it("extends the expiry by whole hours, records it, and refuses other bodies with 400", async () => {
      const env = await seedReady();
      const response = await post(`/api/environments/${env.id}/extend`, { hours: 24 });
      expect(response.statusCode).toBe(200);
      expect(Date.parse(response.json().expiresAt)).toBe(h.now().getTime() + 25 * 3_600_000);
      expect((await h.registry.listEvents(env.id)).at(-1)).toMatchObject({
        type: "expiry_extended",
        actor: "api-token",
        via: "api",
      });
      for (const payload of [{}, { hours: 0 }, { hours: 1.5 }, { hours: "many" }, { hours: 100_000 }]) {
        const bad = await post(`/api/environments/${env.id}/extend`, payload);
        expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
        expect(codeOf(bad)).toBe("INVALID_INPUT");
      }
    });

    it("refuses to redeploy a fork's environment that awaits approval (409): approval happens on GitHub", async () => {
      const held = await seedEnvironment(
        h.registry,
        { kind: "pull_request", repository: "acme/api", branch: "fork-branch", pullRequest: 9 },
        "awaiting_approval",
        h.now(),
      );
      const response = await post(`/api/environments/${held.id}/redeploy`);
      expect(response.statusCode).toBe(409);
      expect(codeOf(response)).toBe("INVALID_TRANSITION");
      expect(await h.queue.listPending()).toEqual([]);
    });

    it("answers 404 NOT_FOUND for an unknown environment", async () => {
      for (const [method, url] of [
        ["POST", "/api/environments/nope/redeploy"],
        ["DELETE", "/api/environments/nope"],
        ["GET", "/api/environments/nope"],
      ] as const) {
        const response = await h.app.inject({ method, url, headers: h.bearer });
        expect(response.statusCode, url).toBe(404);
        expect(codeOf(response)).toBe("NOT_FOUND");
      }
    });
  });

  it("shows an error's message only when its code is visible, as the pages do", async () => {
    const hidden = new StackforkError("LEASE_LOST", "job j-1 taken by worker@build-17.internal");
    const shown = new StackforkError("INVALID_INPUT", "the Pulumi state lists a stack twice");
    let thrown: Error = hidden;
    const failing = await createDashboardHarness({
      listStacks: () => {
        throw thrown;
      },
    });
    try {
      const answer = await failing.app.inject("/api/orphans");
      expect(answer.statusCode).toBe(409);
      expect(answer.json()).toEqual({ error: { code: "LEASE_LOST", message: errorCatalogue.LEASE_LOST.summary } });
      thrown = shown;
      expect((await failing.app.inject("/api/orphans")).json()).toEqual({
        error: { code: "INVALID_INPUT", message: shown.message },
      });
    } finally {
      await failing.close();
    }
  });

  it("answers GET /api/orphans with 404 on a server that keeps no Pulumi state", async () => {
    const response = await h.app.inject("/api/orphans");
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("answers GET /api/orphans with the cloud resources of environments not live, and none without a source of them", async () => {
    const resource = {
      arn: "arn:aws:dynamodb:us-east-1:123456789012:table/api-gone-items",
      environment: "api-gone",
      type: "dynamodb:table",
      repository: "acme/api",
    };
    const withCloud = await createDashboardHarness({ listStacks: () => [], findCloudOrphans: async () => [resource] });
    const withoutCloud = await createDashboardHarness({ listStacks: () => [] });
    try {
      const answer = await withCloud.app.inject("/api/orphans");
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ stacks: [], environments: [], resources: [resource] });
      expect((await withoutCloud.app.inject("/api/orphans")).json()).toEqual({
        stacks: [],
        environments: [],
        resources: [],
      });
    } finally {
      await withCloud.close();
      await withoutCloud.close();
    }
  });

  it("answers the reconciliation routes with 404 offline, and POST /api/reconcile only with the token", async () => {
    expect((await h.app.inject({ method: "POST", url: "/api/reconcile", payload: {} })).statusCode).toBe(401);
    const offline = await h.app.inject({ method: "POST", url: "/api/reconcile", headers: h.bearer, payload: {} });
    expect(offline.statusCode).toBe(404);
    expect(codeOf(offline)).toBe("NOT_FOUND");
    expect((await h.app.inject("/api/reconciliation")).statusCode).toBe(404);
  });

  it("POST /api/reconcile passes dryRun and repository to the reconciler and answers its report", async () => {
    const asked: unknown[] = [];
    const report = {
      dryRun: true,
      startedAt: "2026-11-27T12:00:00.000Z",
      finishedAt: "2026-11-27T12:00:01.000Z",
      repositories: [],
      redeliveries: [],
      requests: { sent: 2, notModified: 2 },
      rateLimit: {},
    };
    const online = await createDashboardHarness({
      reconciler: {
        reconcile: async (options) => {
          asked.push(options);
          return report;
        },
        readStatus: async () => ({ repositories: [], behind: [], redeliveries: [] }),
      },
    });
    try {
      const response = await online.app.inject({
        method: "POST",
        url: "/api/reconcile",
        headers: online.bearer,
        payload: { dryRun: true, repository: "acme/api" },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(report);
      expect(asked).toEqual([{ dryRun: true, repository: "acme/api" }]);
      const unknownField = await online.app.inject({
        method: "POST",
        url: "/api/reconcile",
        headers: online.bearer,
        payload: { dry: true },
      });
      expect(unknownField.statusCode).toBe(400);
    } finally {
      await online.close();
    }
  });

  describe("GET /api/openapi.json", () => {
    it("is a valid OpenAPI 3 document, built from the route schemas, listing every API route", async () => {
      const response = await h.app.inject("/api/openapi.json");
      expect(response.statusCode).toBe(200);
      const document = response.json();
      const result = await new Validator().validate(document);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
        ([route, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
      );
      expect(operations.sort()).toEqual(
        [
          "GET /healthz",
          "GET /api/environments",
          "POST /api/environments",
          "GET /api/environments/{id}",
          "DELETE /api/environments/{id}",
          "GET /api/environments/{id}/logs",
          "POST /api/environments/{id}/redeploy",
          "POST /api/environments/{id}/extend",
          "GET /api/environments/{id}/config",
          "PUT /api/environments/{id}/config",
          "DELETE /api/environments/{id}/config/{key}",
          "POST /api/environments/{id}/reseed",
          "GET /api/orphans",
          "POST /api/reconcile",
          "GET /api/reconciliation",
          "GET /api/uploads/config",
          "POST /api/uploads",
          "POST /api/environments/{id}/share",
          "DELETE /api/environments/{id}/share",
          "GET /api/cost",
          "GET /api/environments/{id}/cost",
          "POST /api/login/device",
          "POST /api/login/device/token",
          "POST /api/logout",
          "POST /api/tokens",
          "GET /api/tokens",
          "DELETE /api/tokens/{name}",
        ].sort(),
      );
      const create = document.paths["/api/environments"].post;
      expect(create.security).toEqual([{ bearerAuth: [] }]);
      expect(create.requestBody.content["application/gzip"].schema).toMatchObject({ type: "string", format: "binary" });
      expect(create.requestBody.content["application/json"].schema.required).toEqual(["repository", "owner"]);
      expect(
        document.paths["/api/environments/{id}/extend"].post.requestBody.content["application/json"].schema.properties
          .hours,
      ).toMatchObject({ minimum: 1 });
    });
  });
});
