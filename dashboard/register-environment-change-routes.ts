import type { FastifyInstance, FastifyRequest } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import { bearerSecurity, errorResponses, errorSchema, idParamsSchema } from "./api-schemas.ts";
import { authorizeEnvironment } from "./authorize-environment.ts";
import { authorizeSandboxRequest } from "./authorize-sandbox-request.ts";
import type { ActionResult, EnvironmentActions } from "./create-environment-actions.ts";
import type { RequestAccess } from "./create-request-access.ts";
import {
  actionResultSchema,
  extendBodySchema,
  sandboxBodySchema,
  sandboxQuerySchema,
} from "./environment-change-schemas.ts";

export interface EnvironmentChangeRouteDeps {
  actions: EnvironmentActions;
  access: RequestAccess;
  registry: Pick<Registry, "getEnvironment" | "findEnvironment">;
}

/** The changes, with the bearer token, each through submitIntent: create a sandbox, redeploy, destroy, extend. */
export function registerEnvironmentChangeRoutes(api: FastifyInstance, deps: EnvironmentChangeRouteDeps): void {
  const { actions, access, registry } = deps;
  const change = { onRequest: access.requireBearer };

  api.post(
    "/api/environments",
    {
      ...change,
      schema: {
        summary: "Create or update a sandbox from a ref (JSON) or from a working tree (gzip tarball)",
        description:
          "JSON `{ repository, owner, ref? }` deploys a branch or commit of the repository's configured clone. " +
          "A gzip tarball of the repository's root (Content-Type: application/gzip, `repository` and `owner` in the " +
          "query) deploys that tree; a server that keeps uploads in S3 (GET /api/uploads/config) answers it 415 " +
          "PRESIGNED_UPLOAD_REQUIRED and takes JSON `{ repository, owner, uploadId }` instead, after POST /api/uploads " +
          "and the PUT. One sandbox per owner and repository: asking again updates it.",
        tags: ["sandboxes"],
        security: bearerSecurity,
        querystring: sandboxQuerySchema,
        body: {
          content: {
            "application/json": { schema: sandboxBodySchema },
            // Validated as bytes by the upload's extraction; the OpenAPI document says binary.
            "application/gzip": { schema: { description: "a gzip tarball of the repository's root" } },
          },
        },
        response: {
          202: { ...actionResultSchema, description: "Queued." },
          200: { ...actionResultSchema, description: "Nothing queued: `ignored` says why." },
          ...errorResponses,
          409: { ...errorSchema, description: "QUOTA_EXCEEDED: the owner has as many sandboxes as allowed." },
          413: { ...errorSchema, description: "The upload is too large." },
          415: {
            ...errorSchema,
            description: "Neither JSON nor gzip; or PRESIGNED_UPLOAD_REQUIRED: this server takes uploads through S3.",
          },
          422: {
            ...errorSchema,
            description: "The upload is not a safe, readable tarball (ARCHIVE_*); SOURCE_NOT_FOUND: no such uploadId.",
          },
        },
      },
    },
    async (request, reply) => {
      const input = readSandboxInput(request);
      const by = await authorizeSandboxRequest(access, registry, request, input);
      const result = await actions.requestSandbox({ ...input, by });
      return reply.code(statusOf(result)).send(flatten(result));
    },
  );

  api.post(
    "/api/environments/:id/redeploy",
    {
      ...change,
      schema: {
        summary: "Deploy again the commit last asked for",
        tags: ["environments"],
        security: bearerSecurity,
        params: idParamsSchema,
        response: {
          202: { ...actionResultSchema, description: "Queued." },
          200: { ...actionResultSchema, description: "Nothing queued: `ignored` says why." },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { by } = await authorizeEnvironment(access, registry, request, id, "write");
      const result = await actions.redeploy(id, by);
      return reply.code(statusOf(result)).send(flatten(result));
    },
  );

  api.delete(
    "/api/environments/:id",
    {
      ...change,
      schema: {
        summary: "Destroy an environment",
        tags: ["environments"],
        security: bearerSecurity,
        params: idParamsSchema,
        response: {
          202: { ...actionResultSchema, description: "Queued." },
          200: { ...actionResultSchema, description: "Already destroyed: `ignored` says so." },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { by } = await authorizeEnvironment(access, registry, request, id, "write");
      const result = await actions.destroy(id, by);
      return reply.code(statusOf(result)).send(flatten(result));
    },
  );

  api.post(
    "/api/environments/:id/extend",
    {
      ...change,
      schema: {
        summary: "Push an environment's expiry back",
        tags: ["environments"],
        security: bearerSecurity,
        params: idParamsSchema,
        body: extendBodySchema,
        response: {
          200: { ...actionResultSchema, description: "Extended, or `ignored` (why not)." },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { hours } = request.body as { hours: number };
      const { by } = await authorizeEnvironment(access, registry, request, id, "write");
      return flatten(await actions.extend(id, hours, by));
    },
  );
}

function readSandboxInput(request: FastifyRequest): {
  repository: string;
  owner: string;
  ref?: string;
  upload?: Buffer;
  uploadId?: string;
} {
  if (Buffer.isBuffer(request.body)) {
    const { repository, owner } = request.query as { repository?: string; owner?: string };
    if (!repository || !owner) {
      throw new StackforkError(
        "INVALID_INPUT",
        "an upload needs ?repository=<owner/name>&owner=<login> in the query string",
      );
    }
    if (request.body.length === 0) throw new StackforkError("INVALID_INPUT", "the upload is empty");
    return { repository, owner, upload: request.body };
  }
  if (!request.body)
    throw new StackforkError("INVALID_INPUT", "send JSON { repository, owner, ref? }, or a gzip tarball");
  return request.body as { repository: string; owner: string; ref?: string; uploadId?: string };
}

function statusOf(result: ActionResult): 200 | 202 {
  return result.jobId ? 202 : 200;
}

function flatten(result: ActionResult) {
  return {
    ...result.environment,
    ...(result.jobId && { jobId: result.jobId }),
    ...(result.ignored && { ignored: result.ignored }),
  };
}
