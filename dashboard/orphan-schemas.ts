import { environmentStatuses } from "./api-schemas.ts";

/** Schemas of `GET /api/orphans` (register-orphan-routes.ts). */

/** `GET /api/orphans`' `resources`: what the Tagging API found tagged for an environment that is not live. */
export const cloudOrphansSchema = {
  type: "array",
  description: "empty when no repository has target aws",
  items: {
    type: "object",
    required: ["arn", "environment", "type", "repository"],
    properties: {
      arn: { type: "string" },
      environment: { type: "string", description: "its environment tag: destroyed, or never registered" },
      type: { type: "string", description: "<service>:<resource type> from the ARN, e.g. dynamodb:table" },
      repository: { type: "string", description: "its repository tag" },
    },
  },
} as const;

export const orphansSchema = {
  type: "object",
  required: ["stacks", "environments", "resources"],
  properties: {
    stacks: {
      type: "array",
      items: {
        type: "object",
        required: ["project", "stack", "updatedAt"],
        properties: {
          project: { type: "string" },
          stack: { type: "string" },
          updatedAt: { type: "string" },
          environment: { type: "string", description: "its environment, destroyed" },
        },
      },
    },
    environments: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "repository", "status", "updatedAt"],
        properties: {
          id: { type: "string" },
          repository: { type: "string" },
          status: { type: "string", enum: [...environmentStatuses] },
          updatedAt: { type: "string" },
        },
      },
    },
    resources: cloudOrphansSchema,
  },
} as const;
