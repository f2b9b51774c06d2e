import type { FastifyInstance } from "fastify";
import type { Registry } from "../registry/registry.ts";
import { bearerSecurity, errorResponses, errorSchema } from "./api-schemas.ts";
import { authorizeSandboxRequest } from "./authorize-sandbox-request.ts";
import type { EnvironmentActions, UploadRequest } from "./create-environment-actions.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { uploadBodySchema, uploadConfigSchema, uploadTicketSchema } from "./upload-schemas.ts";

export interface UploadRouteDeps {
  actions: EnvironmentActions;
  access: RequestAccess;
  registry: Pick<Registry, "findEnvironment">;
  /** Largest upload, compressed. */
  uploadMaxBytes: number;
}

/**
 * How a working tree reaches a server that keeps uploads in S3 (DESIGN.md: a Function URL takes
 * 6 MB at most, and the worker Lambda never sees the dashboard's /tmp): the client asks here for a
 * presigned PUT, sends the bytes to S3 itself, then asks for the sandbox by upload id. Registered
 * inside the API scope (its JSON-only parsers and serializer).
 */
export function registerUploadRoutes(api: FastifyInstance, deps: UploadRouteDeps): void {
  const { actions, access } = deps;

  api.get(
    "/api/uploads/config",
    {
      onRequest: access.requireRead,
      schema: {
        summary: "How this server takes a working tree: in the request body, or through a presigned S3 upload",
        tags: ["sandboxes"],
        response: { 200: uploadConfigSchema, 401: errorResponses[401] },
      },
    },
    async () => ({
      upload: actions.uploadsTo === "bucket" ? "presigned" : "body",
      maxBytes: deps.uploadMaxBytes,
    }),
  );

  api.post(
    "/api/uploads",
    {
      onRequest: access.requireBearer,
      schema: {
        summary: "A presigned S3 PUT for a working tree's gzip tarball (servers that keep uploads in S3)",
        description:
          "Answers where to PUT exactly `bytes` bytes hashing to `sha256` (both signed: S3 refuses other bytes), and " +
          "the `uploadId` to deploy once they are there: POST /api/environments { repository, owner, uploadId }. " +
          "The worker checks the hash again when it reads the tree.",
        tags: ["sandboxes"],
        security: bearerSecurity,
        body: uploadBodySchema,
        response: {
          200: uploadTicketSchema,
          ...errorResponses,
          404: {
            ...errorSchema,
            description: "This server keeps uploads itself: POST the tarball to /api/environments.",
          },
          413: { ...errorSchema, description: "ARCHIVE_TOO_LARGE: `bytes` is over maxBytes." },
        },
      },
    },
    async (request) => {
      await authorizeSandboxRequest(access, deps.registry, request, request.body as UploadRequest);
      const ticket = await actions.presignUpload(request.body as UploadRequest);
      return {
        uploadId: ticket.uploadId,
        method: ticket.method,
        uploadUrl: ticket.url,
        headers: ticket.headers,
        expiresAt: ticket.expiresAt.toISOString(),
        alreadyUploaded: ticket.alreadyUploaded,
      };
    },
  );
}
