import type { FastifyInstance } from "fastify";
import { type ReceiveDeliveryDeps, receiveDelivery } from "./receive-delivery.ts";

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

/** `POST /webhooks/github`: the raw body is kept as text, since the signature covers its exact bytes. */
export async function registerWebhookRoute(app: FastifyInstance, deps: ReceiveDeliveryDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    scope.post("/webhooks/github", async (request, reply) => {
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
