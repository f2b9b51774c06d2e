import type { FastifyInstance } from "fastify";
import { digestSecret } from "../access/digest-secret.ts";
import { newSecret } from "../access/new-secret.ts";
import type { TokenScope } from "../core/principal.ts";
import type { AccessStore, NamedToken } from "../registry/access-store.ts";
import { bearerSecurity, errorResponses } from "./api-schemas.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { createdTokenSchema, tokenCreateBodySchema, tokenListSchema, tokenNameParamsSchema } from "./token-schemas.ts";

export interface TokenRouteDeps {
  access: RequestAccess;
  registry: Pick<AccessStore, "createNamedToken" | "listNamedTokens" | "revokeNamedToken">;
  now?: () => Date;
}

/** Named tokens start with this: a leaked one is recognised for what it is. */
export const NAMED_TOKEN_PREFIX = "sft_";

/**
 * Named tokens for machines (issue 22), each with its scopes, made and revoked by an admin: the
 * token is shown once, when made, and kept only as a digest; a revoked one stops at the next request.
 */
export function registerTokenRoutes(api: FastifyInstance, deps: TokenRouteDeps): void {
  const { access, registry } = deps;
  const now = deps.now ?? (() => new Date());
  const admin = { onRequest: access.requireBearer };
  const describe = ({ digest: _digest, ...token }: NamedToken) => token;

  api.post(
    "/api/tokens",
    {
      ...admin,
      schema: {
        summary: "Make a named token with its scopes (admins only); the token is in this answer only",
        tags: ["tokens"],
        security: bearerSecurity,
        body: tokenCreateBodySchema,
        response: {
          201: createdTokenSchema,
          ...errorResponses,
          409: { description: "CONFLICT: a live token has that name." },
        },
      },
    },
    async (request, reply) => {
      const by = await access.authorize(request, "admin");
      const { name, scopes } = request.body as { name: string; scopes: TokenScope[] };
      const token = newSecret(NAMED_TOKEN_PREFIX);
      const made: NamedToken = {
        name,
        digest: digestSecret(token),
        scopes,
        createdBy: by.actor,
        createdAt: now().toISOString(),
      };
      await registry.createNamedToken(made);
      request.log.info({ token: name, scopes, by: by.actor }, "named token made");
      return reply.code(201).send({ ...describe(made), token });
    },
  );

  api.get(
    "/api/tokens",
    {
      ...admin,
      schema: {
        summary: "The live named tokens, by name (admins only): never the tokens themselves",
        tags: ["tokens"],
        security: bearerSecurity,
        response: { 200: tokenListSchema, ...errorResponses },
      },
    },
    async (request) => {
      await access.authorize(request, "admin");
      return { tokens: (await registry.listNamedTokens()).map(describe) };
    },
  );

  api.delete(
    "/api/tokens/:name",
    {
      ...admin,
      schema: {
        summary: "Revoke a named token (admins only): it stops working at the next request",
        tags: ["tokens"],
        security: bearerSecurity,
        params: tokenNameParamsSchema,
        response: {
          200: { type: "object", required: ["revoked"], properties: { revoked: { type: "boolean" } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const by = await access.authorize(request, "admin");
      const { name } = request.params as { name: string };
      await registry.revokeNamedToken(name);
      request.log.info({ token: name, by: by.actor }, "named token revoked");
      return { revoked: true };
    },
  );
}
