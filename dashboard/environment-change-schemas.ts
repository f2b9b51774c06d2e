import { environmentSchema, ownerSchema, repositorySchema } from "./api-schemas.ts";

/** Schemas of the environment changes (register-environment-change-routes.ts). */

/** A change's answer: the environment, the job it queued, or why none was needed. */
export const actionResultSchema = {
  ...environmentSchema,
  description: "The environment, plus `jobId` when a job was queued, or `ignored` (why) when none was needed.",
  properties: {
    ...environmentSchema.properties,
    jobId: { type: "string" },
    ignored: { type: "string" },
  },
} as const;

const refSchema = {
  type: "string",
  minLength: 1,
  maxLength: 255,
  description: "a branch, or a commit (7 to 40 hex digits), of the repository; default: its default branch",
} as const;

const uploadIdSchema = {
  type: "string",
  pattern: "^upload-[0-9a-f]{16}$",
  description:
    "an upload id of POST /api/uploads whose tarball was PUT (servers that keep uploads in S3); not with `ref`",
} as const;

export const sandboxBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["repository", "owner"],
  properties: { repository: repositorySchema, owner: ownerSchema, ref: refSchema, uploadId: uploadIdSchema },
} as const;

/** An uploaded tree's repository and owner, in the query beside its gzip body. */
export const sandboxQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: { repository: repositorySchema, owner: ownerSchema },
} as const;

export const extendBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["hours"],
  properties: { hours: { type: "integer", minimum: 1, maximum: 720, description: "hours to add, 1 to 720" } },
} as const;
