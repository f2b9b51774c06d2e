import { CONFIG_SOURCES } from "../core/config-entry.ts";

/** One key of a copy's config (issue 19's contract): `value` is `[secret]` when `secret`. */
export const configEntrySchema = {
  type: "object",
  required: ["key", "value", "secret", "source"],
  properties: {
    key: { type: "string" },
    value: { type: "string" },
    secret: { type: "boolean" },
    source: { type: "string", enum: [...CONFIG_SOURCES] },
  },
} as const;

export const configListSchema = {
  type: "object",
  required: ["config"],
  properties: { config: { type: "array", items: configEntrySchema } },
} as const;

/** `PUT /api/environments/:id/config`: one of the environment's own values. */
export const configSetBodySchema = {
  type: "object",
  additionalProperties: false,
  required: ["key", "value"],
  properties: {
    key: { type: "string", pattern: "^[\\w.-]+(:[\\w.-]+)?$", maxLength: 200 },
    value: { type: "string", maxLength: 65536 },
    secret: { type: "boolean", default: false },
  },
} as const;

export const configKeyParamsSchema = {
  type: "object",
  required: ["id", "key"],
  properties: { id: { type: "string" }, key: { type: "string", pattern: "^[\\w.-]+(:[\\w.-]+)?$" } },
} as const;
