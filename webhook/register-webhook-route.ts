import type { FastifyInstance } from "fastify";
import { type ReceiveDeliveryDeps, receiveDelivery, WEBHOOK_BODY_LIMIT } from "./receive-delivery.ts";

/**
 * `POST /webhooks/github`: a thin adapter over `receiveDelivery`. The raw body is kept as text,
 * since the signature covers its exact bytes; fastify stops reading past the limit (413). Logs one
 * line per delivery (`receiveDelivery`'s, with fastify's `reqId`): `buildServer` turns fastify's two
 * request lines off for this path, they would say less at three times the cost.
 */
export const WEBHOOK_PATH = "/webhooks/github";

export async function registerWebhookRoute(app: FastifyInstance, deps: ReceiveDeliveryDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(WEBHOOK_PATH, async (request, reply) => {
      const result = await receiveDelivery(
        { ...deps, log: request.log },
        {
          getHeader: (name) => {
            const value = request.headers[name];
            return Array.isArray(value) ? value[0] : value;
          },
          rawBody: typeof request.body === "string" ? request.body : "",
        },
      );
      return reply.code(result.statusCode).send(result.body);
    });
  });
}
