import type { ServiceConfig } from "../read-service-config.ts";

/**
 * AWS tag values may hold letters, digits, spaces and `_ . : / = + - @`, at most 256 characters
 * (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). Some services read
 * "letters" as ASCII only, so accents are dropped and anything else (quotes, emoji) becomes `_`.
 */
const TAG_VALUE_MAX_LENGTH = 256;
const NOT_ALLOWED = /[^A-Za-z0-9 _.:/=+\-@]/gu;

/** The tags every taggable resource of a copy carries: who it is for and when it may go. */
export function buildTags(config: ServiceConfig): Record<string, string> {
  return {
    environment: sanitizeTagValue(config.environment),
    repository: sanitizeTagValue(config.repository),
    branch: sanitizeTagValue(config.branch),
    owner: sanitizeTagValue(config.owner ?? "none"),
    "expires-at": sanitizeTagValue(config.expiresAt ?? "never"),
    "managed-by": "stackfork",
  };
}

export function sanitizeTagValue(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(NOT_ALLOWED, "_")
    .slice(0, TAG_VALUE_MAX_LENGTH);
}
