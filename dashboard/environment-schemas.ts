import { dateTimeSchema, environmentKinds, environmentSchema, environmentStatuses } from "./api-schemas.ts";
import { configEntrySchema } from "./copy-config-schemas.ts";

/** Schemas of the environment reads (register-environment-routes.ts). */

export const environmentListQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    status: { type: "string", enum: [...environmentStatuses] },
    kind: { type: "string", enum: [...environmentKinds] },
    repository: { type: "string", maxLength: 200 },
    owner: { type: "string", maxLength: 100 },
    q: { type: "string", maxLength: 200, description: "substring of name, branch or repository" },
    limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
    cursor: { type: "string", maxLength: 500, description: "a previous page's nextCursor" },
    includeDestroyed: { type: "boolean", default: false },
  },
} as const;

export const environmentListSchema = {
  type: "object",
  required: ["environments"],
  properties: {
    environments: { type: "array", items: environmentSchema },
    nextCursor: { type: "string" },
  },
} as const;

export const historyEventSchema = {
  type: "object",
  required: ["id", "environmentId", "at", "type", "message"],
  properties: {
    id: { type: "integer" },
    environmentId: { type: "string" },
    at: dateTimeSchema,
    type: { type: "string" },
    message: { type: "string" },
    actor: {
      type: "string",
      description: "Who: a GitHub login, token:<name> (a named token), api-token, stackfork (the platform)",
    },
    via: { type: "string", enum: ["page", "api", "cli", "github"], description: "How a person or a token asked" },
    deliveryId: { type: "string" },
    jobId: { type: "string" },
    commitSha: { type: "string" },
    durationMs: { type: "integer" },
    errorCode: { type: "string" },
  },
} as const;

/** One environment with its history. */
export const environmentDetailSchema = {
  ...environmentSchema,
  properties: {
    ...environmentSchema.properties,
    events: { type: "array", items: historyEventSchema },
    config: { type: "array", items: configEntrySchema },
  },
} as const;

export const logQuerySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    after: { type: "integer", minimum: 0, description: "the last seq already read" },
    jobId: { type: "string", maxLength: 100 },
    limit: { type: "integer", minimum: 1, maximum: 5000, default: 1000 },
  },
} as const;

export const logPageSchema = {
  type: "object",
  required: ["lines", "status"],
  properties: {
    lines: {
      type: "array",
      items: {
        type: "object",
        required: ["seq", "jobId", "at", "text"],
        properties: {
          seq: { type: "integer" },
          jobId: { type: "string" },
          at: { type: "string" },
          text: { type: "string" },
        },
      },
    },
    status: { type: "string", enum: [...environmentStatuses] },
  },
} as const;
