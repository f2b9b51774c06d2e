import Fastify, { type FastifyInstance } from "fastify";
import { registerApiRoutes } from "../dashboard/register-api-routes.ts";
import type { Registry } from "../registry/registry.ts";
import type { ReceiveDeliveryDeps } from "../webhook/receive-delivery.ts";
import { registerWebhookRoute } from "../webhook/register-webhook-route.ts";

export interface ServerDeps {
  registry: Registry;
  intake: Omit<ReceiveDeliveryDeps, "log">;
  /** pino options, or false in tests. */
  logger: boolean | object;
  /** `GET /healthz` answers 200 only once this says so. */
  isReady: () => boolean;
}

/** The embedded HTTP app, without `listen`: tests use `app.inject()`, serve.ts listens. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: deps.logger, requestIdHeader: "x-request-id" });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) request.log.error({ err }, "request failed");
    const code = err.validation ? "INVALID_INPUT" : status === 413 ? "PAYLOAD_TOO_LARGE" : (err.code ?? "INTERNAL");
    return reply.code(status).send({ error: { code, message: status >= 500 ? "internal error" : err.message } });
  });
  app.get("/healthz", async (_request, reply) =>
    deps.isReady() ? { status: "ok" } : reply.code(503).send({ status: "starting" }),
  );
  await registerWebhookRoute(app, { ...deps.intake, log: app.log });
  await registerApiRoutes(app, { registry: deps.registry });
  return app;
}
