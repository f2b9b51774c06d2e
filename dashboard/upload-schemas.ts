import { dateTimeSchema, ownerSchema, repositorySchema } from "./api-schemas.ts";

/** Schemas of working-tree uploads (register-upload-routes.ts). */

export const uploadConfigSchema = {
  type: "object",
  description: "How this server takes a working tree (`stackfork sandbox up --dir` asks first).",
  required: ["upload", "maxBytes"],
  properties: {
    upload: {
      type: "string",
      enum: ["body", "presigned"],
      description:
        "`body`: POST the gzip tarball to /api/environments. `presigned`: POST /api/uploads, PUT the tarball to " +
        "its `uploadUrl`, then POST /api/environments { repository, owner, uploadId }.",
    },
    maxBytes: { type: "integer", description: "Largest tarball, compressed (uploadMaxMegabytes)." },
  },
} as const;

export const uploadBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["repository", "owner", "sha256", "bytes"],
  properties: {
    repository: repositorySchema,
    owner: ownerSchema,
    sha256: { type: "string", pattern: "^[0-9a-fA-F]{64}$", description: "SHA-256 of the gzip tarball, in hex" },
    bytes: { type: "integer", minimum: 1, description: "the tarball's exact length; at most maxBytes" },
  },
} as const;

export const uploadTicketSchema = {
  type: "object",
  description:
    "Where to PUT the tarball: exactly these bytes, with exactly these headers (they are signed), before `expiresAt`.",
  required: ["uploadId", "method", "uploadUrl", "headers", "expiresAt", "alreadyUploaded"],
  properties: {
    uploadId: { type: "string", description: "upload-<16 hex of the sha256>: the sandbox's commitSha" },
    method: { type: "string", enum: ["PUT"] },
    uploadUrl: { type: "string", description: "a presigned S3 URL" },
    headers: {
      type: "object",
      description: "content-length and x-amz-checksum-sha256: S3 refuses other bytes",
      additionalProperties: { type: "string" },
    },
    expiresAt: dateTimeSchema,
    alreadyUploaded: { type: "boolean", description: "the same bytes are in the bucket already: no PUT needed" },
  },
} as const;
