/**
 * JSON schemas of the API: fastify validates requests with them, and @fastify/swagger turns the
 * same objects into /api/openapi.json, so the document cannot drift from what is enforced.
 * Response schemas only document (the API scope serializes with JSON.stringify: nothing dropped).
 * Here: what more than one resource uses; each resource's own schemas are in `<resource>-schemas.ts`.
 */
import { environmentCostSchema } from "./cost-schemas.ts";

const statuses = ["queued", "deploying", "ready", "failed", "destroying", "destroyed", "awaiting_approval"];
const kinds = ["branch", "pull_request", "sandbox"];

export const environmentStatuses = statuses as readonly string[];
export const environmentKinds = kinds as readonly string[];

export const dateTimeSchema = { type: "string", format: "date-time" } as const;

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
    url: { type: "string", description: "The preview URL: the routed address for copies behind the preview router." },
    directUrl: { type: "string", description: "The copy's own address (a local copy's loopback URL)." },
    commitSha: { type: "string", description: "A git SHA, or upload-<16 hex> for an uploaded tree." },
    createdAt: dateTimeSchema,
    updatedAt: dateTimeSchema,
    expiresAt: dateTimeSchema,
    lastError: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
    lastDeployMs: { type: "integer", description: "How long the last deploy took, in milliseconds." },
    cost: environmentCostSchema,
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

/** A sandbox's or an upload's repository. */
export const repositorySchema = {
  type: "string",
  pattern: "^[\\w.-]+/[\\w.-]+$",
  maxLength: 200,
  description: "owner/name of a configured repository",
} as const;

/** A sandbox's or an upload's owner. */
export const ownerSchema = {
  type: "string",
  pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$",
  description: "a GitHub login: letters, digits and dashes, at most 39",
} as const;

export const idParamsSchema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", maxLength: 100, description: "the environment's id (its name)" } },
} as const;

export const errorResponses = {
  400: { ...errorSchema, description: "Bad input: `error.message` says what to fix." },
  401: { ...errorSchema, description: "No or wrong `Authorization: Bearer <token>`." },
  403: {
    ...errorSchema,
    description: "FORBIDDEN: known, but not allowed (read access only, or not an admin, or a token's scope).",
  },
  404: { ...errorSchema, description: "No such environment." },
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];
