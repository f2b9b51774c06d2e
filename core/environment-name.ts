import { createHash } from "node:crypto";
import { type EnvironmentIdentity, formatIdentityKey } from "./environment.ts";

/**
 * Every cloud resource name is `<environment name>-<suffix>`, with suffixes of at most this many
 * characters. The strictest limits it feeds: S3 bucket and DNS label 63, IAM role and Lambda
 * function 64 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 * So a name of at most 63 - 1 - 22 = 40 characters fits all of them.
 */
export const RESOURCE_SUFFIX_MAX_LENGTH = 22;
export const ENVIRONMENT_NAME_MAX_LENGTH = 63 - 1 - RESOURCE_SUFFIX_MAX_LENGTH;

const HASH_LENGTH = 8;
/** Branch slugs that start like another kind's name would collide with it; they always get a hash. */
const RESERVED_BRANCH_PREFIX = /^(pr|sb)-/;

export interface NameEnvironmentOptions {
  /** @default ENVIRONMENT_NAME_MAX_LENGTH (40) */
  maxLength?: number;
  /** Append the hash even when the slug is lossless (the registry found the plain name taken). */
  forceHash?: boolean;
}

/**
 * The environment's name: Pulumi stack name and prefix of every resource name. Lowercase
 * `[a-z0-9-]`, at most `maxLength`, the same for the same identity every time, and different for
 * different identities: whenever slugging loses information (case, `/`, `_`, unicode, length) a
 * short hash of the exact identity is appended.
 *
 * @example nameEnvironment({ kind: "branch", repository: "acme/api", branch: "feature/a_b" })
 * // "api-feature-a-b-1c9e0f3a"
 */
export function nameEnvironment(identity: EnvironmentIdentity, options: NameEnvironmentOptions = {}): string {
  const maxLength = Math.min(options.maxLength ?? ENVIRONMENT_NAME_MAX_LENGTH, ENVIRONMENT_NAME_MAX_LENGTH);
  const repoName = identity.repository.split("/").pop() ?? identity.repository;
  const repoSlug = slugify(repoName);
  let part: string;
  let lossless = repoSlug === repoName;
  switch (identity.kind) {
    case "branch":
      part = slugify(identity.branch);
      lossless &&= part === identity.branch && !RESERVED_BRANCH_PREFIX.test(part);
      break;
    case "pull_request":
      part = `pr-${identity.pullRequest}`;
      break;
    case "sandbox":
      part = `sb-${slugify(identity.owner)}`;
      lossless &&= part === `sb-${identity.owner.toLowerCase()}`;
      break;
  }
  const readable = [repoSlug, part].filter(Boolean).join("-");
  if (lossless && !options.forceHash && readable.length <= maxLength && readable.length > 0) return readable;
  const hash = hashIdentity(identity);
  const head = readable.slice(0, maxLength - HASH_LENGTH - 1).replace(/-+$/, "");
  return head ? `${head}-${hash}` : hash;
}

/** Lowercase ASCII letters and digits joined by single dashes; accents are dropped, not the letters. */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function hashIdentity(identity: EnvironmentIdentity): string {
  return createHash("sha256").update(formatIdentityKey(identity)).digest("hex").slice(0, HASH_LENGTH);
}
