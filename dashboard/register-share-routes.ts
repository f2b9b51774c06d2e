import type { FastifyInstance } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { ShareLinks } from "../preview-router/create-share-links.ts";
import { MAX_SHARE_HOURS } from "../preview-router/share-link-revocations.ts";
import type { Registry } from "../registry/registry.ts";
import { bearerSecurity, dateTimeSchema, errorResponses, idParamsSchema } from "./api-schemas.ts";
import { authorizeEnvironment } from "./authorize-environment.ts";
import type { RequestAccess } from "./create-request-access.ts";

export interface ShareRouteDeps {
  access: RequestAccess;
  registry: Pick<Registry, "getEnvironment">;
  /** Absent where no preview router runs (the dashboard Lambda): the routes answer 404. */
  shareLinks?: ShareLinks;
}

const shareBodySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    hours: {
      type: "number",
      minimum: 0.1,
      maximum: MAX_SHARE_HOURS,
      description: "How long the link opens the preview, in hours (0.1 to 720). @default 24",
    },
  },
} as const;

const shareLinkSchema = {
  type: "object",
  required: ["url", "expiresAt"],
  properties: {
    url: {
      type: "string",
      description: "Opens the preview: it sets a cookie for that preview's host, then redirects.",
    },
    expiresAt: dateTimeSchema,
  },
} as const;

/** Share links of a preview (preview-router/create-share-links.ts): create one, revoke them all. */
export function registerShareRoutes(api: FastifyInstance, deps: ShareRouteDeps): void {
  const change = { onRequest: deps.access.requireBearer };
  const shareLinks = () => {
    if (!deps.shareLinks) throw new StackforkError("NOT_FOUND", "this server does not route previews");
    return deps.shareLinks;
  };

  api.post(
    "/api/environments/:id/share",
    {
      ...change,
      schema: {
        summary: "A signed, expiring link that opens the environment's preview without the API token",
        tags: ["previews"],
        security: bearerSecurity,
        params: idParamsSchema,
        body: shareBodySchema,
        response: { 201: shareLinkSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await authorizeEnvironment(deps.access, deps.registry, request, id, "write");
      const hours = (request.body as { hours?: number } | null)?.hours;
      return reply.code(201).send(await shareLinks().issue(id, hours));
    },
  );

  api.delete(
    "/api/environments/:id/share",
    {
      ...change,
      schema: {
        summary: "Revoke every share link of the environment issued so far",
        tags: ["previews"],
        security: bearerSecurity,
        params: idParamsSchema,
        response: {
          200: { type: "object", required: ["revoked"], properties: { revoked: { type: "boolean" } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      await authorizeEnvironment(deps.access, deps.registry, request, id, "write");
      await shareLinks().revokeAll(id);
      return { revoked: true };
    },
  );
}
