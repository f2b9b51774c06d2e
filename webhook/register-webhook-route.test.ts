import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../app/build-server.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { createSqliteJobQueue } from "../queue/sqlite-job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { pushPayload, signDelivery } from "../test/support/webhook-deliveries.ts";

const SECRET = "route-secret";
const repo: RepositoryConfig = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local",
  ttlHours: 72,
};
const SHA = "b".repeat(40);

describe("POST /webhooks/github", () => {
  let dir: string;
  let registry: Registry;
  let queue: JobQueue;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-route-"));
    registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
    queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
    app = await buildServer({
      registry,
      logger: false,
      isReady: () => true,
      intake: {
        registry,
        queue,
        nameMaxLength: 40,
        webhookSecrets: ["old-secret", SECRET],
        findRepository: (name) => (name.toLowerCase() === repo.name ? repo : undefined),
        now: () => new Date("2026-11-27T12:00:00Z"),
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await registry.close();
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (headers: Record<string, string>, body: string) =>
    app.inject({ method: "POST", url: "/webhooks/github", headers, payload: body });

  it("queues a signed push and answers 202 with the environment, recorded under the sender via github", async () => {
    const payload = { ...pushPayload("acme/api", "feature/x", SHA), sender: { login: "octocat", type: "User" } };
    const delivery = await signDelivery(SECRET, "push", payload);
    const response = await post(delivery.headers, delivery.body);
    expect(response.statusCode).toBe(202);
    const env = response.json().queued[0].environment as string;
    expect(await queue.listPending(env)).toMatchObject([
      { type: "deploy", commitSha: SHA, reason: { actor: "octocat", via: "github" } },
    ]);
    expect(await registry.getEnvironment(env)).toMatchObject({ status: "queued", branch: "feature/x", kind: "branch" });
    expect(await registry.listEvents(env)).toMatchObject([
      { type: "deploy_requested", actor: "octocat", via: "github" },
    ]);
  });

  it("accepts every secret during a rotation", async () => {
    const delivery = await signDelivery("old-secret", "push", pushPayload("acme/api", "feature/rotated", SHA));
    expect((await post(delivery.headers, delivery.body)).statusCode).toBe(202);
  });

  it("refuses unsigned, forged and tampered deliveries with 401", async () => {
    const good = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/y", SHA));
    const { "x-hub-signature-256": _, ...unsigned } = good.headers;
    const forged = await signDelivery("wrong-secret", "push", pushPayload("acme/api", "feature/y", SHA));
    const answers = await Promise.all([
      post(unsigned, good.body),
      post(forged.headers, forged.body),
      post(good.headers, good.body.replace("feature/y", "feature/z")),
    ]);
    for (const answer of answers) expect(answer.statusCode).toBe(401);
    expect(answers.map((a) => a.json().error.code)).toEqual([
      "SIGNATURE_MISSING",
      "SIGNATURE_INVALID",
      "SIGNATURE_INVALID",
    ]);
  });

  it("answers 400 to a signed body that is not JSON, 413 past GitHub's 25 MB", async () => {
    const notJson = await signDelivery(SECRET, "push", {});
    const body = "{not json";
    const { sign } = await import("@octokit/webhooks-methods");
    const malformed = await post({ ...notJson.headers, "x-hub-signature-256": await sign(SECRET, body) }, body);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe("PAYLOAD_MALFORMED");
    const huge = await post(notJson.headers, `{"x":"${"a".repeat(25 * 1024 * 1024)}"}`);
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("ignores a replayed delivery id with 200", async () => {
    const delivery = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/replayed", SHA), "same-id");
    expect((await post(delivery.headers, delivery.body)).statusCode).toBe(202);
    const replay = await post(delivery.headers, delivery.body);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ code: "DELIVERY_REPLAYED", deliveryId: "same-id" });
  });

  it("refuses a captured delivery sent again under a new delivery id with 200 SIGNATURE_REPLAYED", async () => {
    const delivery = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/captured", SHA), "first-id");
    const first = await post(delivery.headers, delivery.body);
    expect(first.statusCode).toBe(202);
    const environment = first.json().queued[0].environment as string;
    const replay = await post({ ...delivery.headers, "x-github-delivery": "forged-id" }, delivery.body);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ code: "SIGNATURE_REPLAYED", deliveryId: "forged-id" });
    expect(await queue.listPending(environment)).toHaveLength(1);
    expect((await registry.listEvents(environment)).map((e) => e.deliveryId)).toEqual(["first-id"]);
  });

  it("takes the redelivery of a delivery whose handling died before recording anything", async () => {
    const now = new Date("2026-11-27T12:00:00Z").getTime();
    // As a kill -9 right after the id was remembered leaves it: remembered, no job, no history.
    await registry.rememberDelivery("died-3-minutes-ago", new Date(now - 3 * 60_000));
    await registry.rememberDelivery("died-10-seconds-ago", new Date(now - 10_000));
    const lost = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/lost", SHA), "died-3-minutes-ago");
    const taken = await post(lost.headers, lost.body);
    expect(taken.statusCode).toBe(202);
    expect(await queue.listPending(taken.json().queued[0].environment)).toHaveLength(1);
    // Ten seconds is within GitHub's own timeout: it may still be in progress, so a replay.
    const recent = await signDelivery(
      SECRET,
      "push",
      pushPayload("acme/api", "feature/recent", SHA),
      "died-10-seconds-ago",
    );
    expect((await post(recent.headers, recent.body)).json()).toMatchObject({ code: "DELIVERY_REPLAYED" });
    // Once handled it has a trace in history: a replay (at any age: the registry contract).
    expect((await post(lost.headers, lost.body)).json()).toMatchObject({ code: "DELIVERY_REPLAYED" });
  });

  it("serves GET /healthz and the environment list", async () => {
    expect((await app.inject("/healthz")).statusCode).toBe(200);
    const list = await app.inject("/api/environments");
    expect(list.json().environments.length).toBeGreaterThan(0);
    expect((await app.inject("/api/environments?status=bogus")).statusCode).toBe(400);
    expect((await app.inject("/api/environments/nope")).statusCode).toBe(404);
  });
});

describe("POST /webhooks/github when the queue fails", () => {
  it("answers 500 and forgets the delivery id, so that GitHub's redelivery is taken", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stackfork-route-fail-"));
    const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
    const queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
    let failures = 1;
    const flakyQueue: JobQueue = {
      ...queue,
      enqueue: async (input, now) => {
        if (failures-- > 0) throw new Error("disk full");
        return queue.enqueue(input, now);
      },
    };
    const app = await buildServer({
      registry,
      logger: false,
      isReady: () => true,
      intake: {
        registry,
        queue: flakyQueue,
        nameMaxLength: 40,
        webhookSecrets: [SECRET],
        findRepository: (name) => (name.toLowerCase() === repo.name ? repo : undefined),
        now: () => new Date("2026-11-27T12:00:00Z"),
      },
    });
    try {
      const delivery = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/flaky", SHA), "flaky-1");
      const post = () =>
        app.inject({ method: "POST", url: "/webhooks/github", headers: delivery.headers, payload: delivery.body });
      expect((await post()).statusCode).toBe(500);
      // A copy under another id is still refused: only GitHub's redelivery (same id) is taken.
      const copy = await app.inject({
        method: "POST",
        url: "/webhooks/github",
        headers: { ...delivery.headers, "x-github-delivery": "flaky-copy" },
        payload: delivery.body,
      });
      expect(copy.json()).toMatchObject({ code: "SIGNATURE_REPLAYED" });
      const redelivered = await post();
      expect(redelivered.statusCode).toBe(202);
      expect(await queue.listPending(redelivered.json().queued[0].environment)).toHaveLength(1);
    } finally {
      await app.close();
      await registry.close();
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("logs one line per delivery, a refused one included, and no request lines of fastify's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stackfork-route-log-"));
    const registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
    const queue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line)) };
    const app = await buildServer({
      registry,
      logger: { level: "info", stream },
      isReady: () => true,
      intake: {
        registry,
        queue,
        nameMaxLength: 40,
        webhookSecrets: [SECRET],
        findRepository: (name) => (name.toLowerCase() === repo.name ? repo : undefined),
        now: () => new Date("2026-11-27T12:00:00Z"),
      },
    });
    try {
      const queued = await signDelivery(SECRET, "push", pushPayload("acme/api", "feature/logged", SHA), "logged-1");
      const forged = await signDelivery("not-the-secret", "push", pushPayload("acme/api", "x", SHA), "forged-1");
      const post = (delivery: typeof queued) =>
        app.inject({ method: "POST", url: "/webhooks/github", headers: delivery.headers, payload: delivery.body });
      expect((await post(queued)).statusCode).toBe(202);
      expect((await post(forged)).statusCode).toBe(401);
      await app.inject({ method: "GET", url: "/healthz" });

      const ofDelivery = (id: string) => lines.filter((line) => line.deliveryId === id);
      expect(ofDelivery("logged-1")).toMatchObject([{ level: 30, statusCode: 202, reqId: expect.any(String) }]);
      expect(ofDelivery("forged-1")).toMatchObject([{ level: 40, code: "SIGNATURE_INVALID", statusCode: 401 }]);
      // fastify's request lines carry `req` (incoming) or `res` (completed); other routes keep them.
      const requestLines = lines.filter((line) => "req" in line || "res" in line);
      expect(requestLines.map((line) => (line.req as { url?: string } | undefined)?.url ?? "completed")).toEqual([
        "/healthz",
        "completed",
      ]);
    } finally {
      await app.close();
      await registry.close();
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
