import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";

/**
 * Builds /api/openapi.json from the routes' own schemas (registered before them, so that it sees
 * every route). Routes without a tag (pages, assets, the webhook) are left out. Registered at the
 * root: @fastify/swagger is not encapsulated.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    hideUntagged: true,
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "stackfork",
        version: "1",
        description:
          "Per-branch, per-pull-request and per-developer copies of a serverless stack. Reads are open on " +
          "loopback; every change needs `Authorization: Bearer <token>`. Errors are `{ error: { code, message } }` " +
          "with stable codes.",
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            description: "STACKFORK_API_TOKEN, or <data dir>/secrets/api-token",
          },
        },
      },
    },
    // Validation accepts any bytes for an upload (fastify cannot type-check a Buffer); say what they are.
    transformObject: (document) => {
      if (!("openapiObject" in document)) return document.swaggerObject;
      const { openapiObject } = document;
      for (const path of Object.values(openapiObject.paths ?? {})) {
        for (const operation of Object.values(path as Record<string, { requestBody?: { content?: object } }>)) {
          const gzip = (operation.requestBody?.content as Record<string, { schema?: object }> | undefined)?.[
            "application/gzip"
          ];
          if (gzip) gzip.schema = { ...gzip.schema, type: "string", format: "binary" };
        }
      }
      return openapiObject;
    },
  });
}
