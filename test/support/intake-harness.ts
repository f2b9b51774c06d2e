import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildServer } from "../../app/build-server.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import type { Notifier } from "../../github/notifier.ts";
import type { JobQueue } from "../../queue/job-queue.ts";
import { createSqliteJobQueue } from "../../queue/sqlite-job-queue.ts";
import type { Registry } from "../../registry/registry.ts";
import { createSqliteRegistry } from "../../registry/sqlite-registry.ts";
import { createWebhookLambdaHandler } from "../../webhook/create-webhook-lambda-handler.ts";
import type { ReceiveDeliveryDeps } from "../../webhook/receive-delivery.ts";
import type { Delivery } from "./webhook-deliveries.ts";

export interface IntakeAnswer {
  statusCode: number;
  body: Record<string, unknown>;
}

export interface IntakeHarnessOptions {
  repositories: RepositoryConfig[];
  webhookSecrets: string[];
  /** @default a clock the test moves with `advance` */
  start?: Date;
  checkWriteAccess?: ReceiveDeliveryDeps["checkWriteAccess"];
  reactToComment?: ReceiveDeliveryDeps["reactToComment"];
  notifier?: Notifier;
}

/**
 * The webhook intake on real SQLite (registry and queue in a temp dir), reachable both through the
 * HTTP route of the real server (`buildServer`, `app.inject`) and through the Lambda handler, which
 * share the one registry and queue.
 */
export async function createIntakeHarness(options: IntakeHarnessOptions) {
  const dir = mkdtempSync(path.join(tmpdir(), "stackfork-intake-"));
  const registry: Registry = createSqliteRegistry({ file: path.join(dir, "registry.db") });
  const queue: JobQueue = createSqliteJobQueue({ file: path.join(dir, "queue.db") });
  let clock = options.start ?? new Date("2026-11-27T12:00:00Z");
  const intake: Omit<ReceiveDeliveryDeps, "log"> = {
    registry,
    queue,
    nameMaxLength: 40,
    webhookSecrets: options.webhookSecrets,
    findRepository: (name) => options.repositories.find((r) => r.name.toLowerCase() === name.toLowerCase()),
    now: () => clock,
    checkWriteAccess: options.checkWriteAccess,
    reactToComment: options.reactToComment,
    notifier: options.notifier,
  };
  const app: FastifyInstance = await buildServer({ registry, logger: false, isReady: () => true, intake });
  const lambda = createWebhookLambdaHandler({ ...intake, log: pino({ level: "silent" }) });

  return {
    dir,
    registry,
    queue,
    app,
    now: () => clock,
    /** Moves the intake's clock forward. */
    advance(ms: number) {
      clock = new Date(clock.getTime() + ms);
      return clock;
    },
    async viaRoute(delivery: Delivery): Promise<IntakeAnswer> {
      const response = await app.inject({
        method: "POST",
        url: "/webhooks/github",
        headers: delivery.headers,
        payload: delivery.body,
      });
      return { statusCode: response.statusCode, body: response.json() };
    },
    /** As API Gateway / a Function URL would pass it: lower-case headers, the body maybe base64. */
    async viaLambda(delivery: Delivery, { base64 = false } = {}): Promise<IntakeAnswer> {
      const result = await lambda({
        headers: Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v])),
        body: base64 ? Buffer.from(delivery.body).toString("base64") : delivery.body,
        isBase64Encoded: base64,
        requestContext: { http: { method: "POST" }, requestId: "test" },
      });
      return { statusCode: result.statusCode, body: JSON.parse(result.body) };
    },
    lambda,
    /**
     * Plays the worker's part in registry and queue (no engine): every job is taken in order and
     * succeeds, leaving the environment `ready` at the job's commit (expiring in 72 h) or `destroyed`.
     */
    async finishJobs() {
      const owner = "test-worker";
      for (let job = await queue.claim(owner, clock, 60_000); job; job = await queue.claim(owner, clock, 60_000)) {
        const base = { environmentId: job.environmentId, at: clock.toISOString(), jobId: job.id };
        if (job.type === "deploy") {
          await registry.updateEnvironment(job.environmentId, { status: "deploying" }, clock);
          await registry.appendEvent({ ...base, type: "deploy_started", message: "deploying" });
          const expiresAt = new Date(clock.getTime() + 72 * 3_600_000).toISOString();
          const commitSha = job.commitSha ?? "f".repeat(40);
          const patch = {
            status: "ready" as const,
            commitSha,
            url: `http://127.0.0.1/${job.environmentId}`,
            expiresAt,
          };
          await registry.updateEnvironment(job.environmentId, patch, clock);
          await registry.appendEvent({ ...base, type: "deploy_succeeded", message: "ready", commitSha });
        } else {
          await registry.updateEnvironment(job.environmentId, { status: "destroying" }, clock);
          await registry.updateEnvironment(job.environmentId, { status: "destroyed", url: null }, clock);
          await registry.appendEvent({ ...base, type: "destroy_succeeded", message: "destroyed" });
        }
        await queue.complete(job.id, owner);
      }
    },
    async close() {
      await app.close();
      await registry.close();
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type IntakeHarness = Awaited<ReturnType<typeof createIntakeHarness>>;
