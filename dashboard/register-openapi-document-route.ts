import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import type { RequestAccess } from "./create-request-access.ts";

/**
 * `GET /api/openapi.json`, built by registerOpenApi from every route's schema. `app` is the root:
 * @fastify/swagger decorates it, and sees every route from there.
 */
export function registerOpenApiDocumentRoute(api: FastifyInstance, app: FastifyInstance, access: RequestAccess): void {
  api.get(
    "/api/openapi.json",
    { onRequest: access.requireRead, schema: { summary: "This document", tags: ["meta"], hide: true } },
    async () => app.swagger(),
  );
}
