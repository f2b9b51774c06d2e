/**
 * JSON schemas of the API: fastify validates requests with them, and @fastify/swagger turns the
 * same objects into /api/openapi.json, so the document cannot drift from what is enforced.
 * Response schemas only document (the API scope serializes with JSON.stringify: nothing dropped).
 */
const statuses = ["queued", "deploying", "ready", "failed", "destroying", "destroyed", "awaiting_approval"];
const kinds = ["branch", "pull_request", "sandbox"];

export const environmentStatuses = statuses as readonly string[];
export const environmentKinds = kinds as readonly string[];

const dateTime = { type: "string", format: "date-time" } as const;

export const environmentSchema = {
  type: "object",
  description: "The Environment JSON of the external contract.",
  required: ["id", "name", "kind", "repository", "branch", "status", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string" },
    name: { type: "string", description: "Pulumi stack name and prefix of every resource name." },
    kind: { type: "string", enum: kinds },
    repository: { type: "string", description: "owner/name" },
    branch: { type: "string", description: "The branch; for a sandbox, the ref it runs." },
    pullRequest: { type: "integer" },
    owner: { type: "string", description: "A sandbox's owner (GitHub login)." },
    status: { type: "string", enum: statuses },
    url: { type: "string", description: "The preview URL." },
    commitSha: { type: "string", description: "A git SHA, or upload-<16 hex> for an uploaded tree." },
    createdAt: dateTime,
    updatedAt: dateTime,
    expiresAt: dateTime,
    lastError: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
    lastDeployMs: { type: "integer", description: "How long the last deploy took, in milliseconds." },
  },
} as const;

export const historyEventSchema = {
  type: "object",
  required: ["id", "environmentId", "at", "type", "message"],
  properties: {
    id: { type: "integer" },
    environmentId: { type: "string" },
    at: dateTime,
    type: { type: "string" },
    message: { type: "string" },
    actor: { type: "string" },
    deliveryId: { type: "string" },
    jobId: { type: "string" },
    commitSha: { type: "string" },
    durationMs: { type: "integer" },
    errorCode: { type: "string" },
  },
} as const;

export const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable: see core/errors.ts." },
        message: { type: "string", description: "What to do about it, for a person." },
      },
    },
  },
} as const;

/** A mutation's answer: the environment, the job it queued, or why none was needed. */
export const actionResultSchema = {
  ...environmentSchema,
  description: "The environment, plus `jobId` when a job was queued, or `ignored` (why) when none was needed.",
  properties: {
    ...environmentSchema.properties,
    jobId: { type: "string" },
    ignored: { type: "string" },
  },
} as const;

const repository = {
  type: "string",
  pattern: "^[\\w.-]+/[\\w.-]+$",
  maxLength: 200,
  description: "owner/name of a configured repository",
} as const;
const owner = {
  type: "string",
  pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$",
  description: "a GitHub login: letters, digits and dashes, at most 39",
} as const;
const ref = {
  type: "string",
  minLength: 1,
  maxLength: 255,
  description: "a branch, or a commit (7 to 40 hex digits), of the repository; default: its default branch",
} as const;

export const sandboxBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["repository", "owner"],
  properties: { repository, owner, ref },
} as const;

export const sandboxQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: { repository, owner },
} as const;

export const extendBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["hours"],
  properties: { hours: { type: "integer", minimum: 1, maximum: 720, description: "hours to add, 1 to 720" } },
} as const;

export const idParamsSchema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", maxLength: 100, description: "the environment's id (its name)" } },
} as const;

export const errorResponses = {
  400: { ...errorSchema, description: "Bad input: `error.message` says what to fix." },
  401: { ...errorSchema, description: "No or wrong `Authorization: Bearer <token>`." },
  404: { ...errorSchema, description: "No such environment." },
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];
