import { dateTimeSchema } from "./api-schemas.ts";

/** Schemas of the named tokens (register-token-routes.ts). */

const scopesSchema = {
  type: "array",
  items: { type: "string", enum: ["read", "write", "admin"] },
  minItems: 1,
  uniqueItems: true,
  description: "read: sees every environment; write: also changes them; admin: everything (tokens, orphans too)",
} as const;

export const tokenNameSchema = {
  type: "string",
  pattern: "^[a-z0-9][a-z0-9._-]{0,62}$",
  description: "lowercase letters, digits, dots, dashes and underscores; history records it as token:<name>",
} as const;

export const tokenCreateBodySchema = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: { name: tokenNameSchema, scopes: { ...scopesSchema, default: ["read"] } },
} as const;

export const tokenNameParamsSchema = {
  type: "object",
  required: ["name"],
  properties: { name: tokenNameSchema },
} as const;

const tokenProperties = {
  name: { type: "string" },
  scopes: scopesSchema,
  createdBy: { type: "string", description: "The actor who created it: a GitHub login, token:<name>, api-token" },
  createdAt: dateTimeSchema,
} as const;

/** A token as listed: never the token itself, which only its creator saw, once. */
export const namedTokenSchema = {
  type: "object",
  required: ["name", "scopes", "createdBy", "createdAt"],
  properties: tokenProperties,
} as const;

export const createdTokenSchema = {
  type: "object",
  required: ["name", "scopes", "createdBy", "createdAt", "token"],
  properties: {
    ...tokenProperties,
    token: { type: "string", description: "The bearer token: shown this once, stored only as a digest" },
  },
} as const;

export const tokenListSchema = {
  type: "object",
  required: ["tokens"],
  properties: { tokens: { type: "array", items: namedTokenSchema } },
} as const;
