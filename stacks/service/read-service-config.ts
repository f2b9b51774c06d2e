import path from "node:path";
import * as z from "zod";
import { ENVIRONMENT_NAME_MAX_LENGTH } from "./name-limits.ts";

interface CommonConfig {
  /** Lowercase `[a-z0-9-]`, at most 40 characters: the prefix of every resource name. */
  environment: string;
  /** `owner/name` */
  repository: string;
  /** Any string git allows: slashes, quotes, unicode. Never used in a name, only in tags and env. */
  branch: string;
  commit: string;
  owner?: string;
  /** ISO 8601 */
  expiresAt?: string;
}

export type ServiceConfig =
  | (CommonConfig & {
      target: "aws";
      /**
       * `stackfork:permissionsBoundary`: the managed policy every IAM role of the copy must carry.
       * The platform sets it (its deployer may create no role without it); a copy deployed by hand
       * may leave it out.
       * @example "arn:aws:iam::123456789012:policy/stackfork-copy-boundary"
       */
      permissionsBoundary?: string;
    })
  | (CommonConfig & {
      target: "local";
      /** Absolute: the copy's data (dynalite), log and pid file. */
      dataDir: string;
    });

const configSchema = z
  .object({
    environment: z
      .string()
      .max(ENVIRONMENT_NAME_MAX_LENGTH)
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lowercase [a-z0-9-], as core/environment-name.ts makes it"),
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/name"),
    branch: z.string().min(1),
    // A sandbox from an uploaded working tree runs no commit: its content hash (core/upload-id.ts).
    commit: z.string().regex(/^(?:[0-9a-f]{7,64}|upload-[0-9a-f]{16})$/i, "must be a commit SHA or an upload id"),
    owner: z.string().min(1).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    // The embedded default: copies run on this machine unless the stack says aws.
    target: z.enum(["aws", "local"]).default("local"),
    dataDir: z
      .string()
      .refine((dir) => path.isAbsolute(dir), "must be an absolute path")
      .optional(),
    permissionsBoundary: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:policy\/[\w+=,.@/-]+$/, "must be an IAM managed policy ARN")
      .optional(),
  })
  .refine((c) => c.target !== "local" || c.dataDir !== undefined, {
    path: ["dataDir"],
    message: "is required when target is local",
  });

const KEYS = [
  "environment",
  "repository",
  "branch",
  "commit",
  "owner",
  "expiresAt",
  "target",
  "dataDir",
  "permissionsBoundary",
] as const;

/**
 * Reads the `stackfork` config namespace once (pass `new pulumi.Config("stackfork")`), reporting
 * every problem together, and returns it frozen.
 */
export function readServiceConfig(config: { get(key: string): string | undefined }): ServiceConfig {
  const raw = Object.fromEntries(KEYS.map((key) => [key, config.get(key) || undefined]));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `stackfork:${issue.path.join(".")} ${issue.message}`);
    throw new Error(`Invalid stack config: ${problems.join("; ")}`);
  }
  const { environment, repository, branch, commit, owner, expiresAt, target, dataDir, permissionsBoundary } =
    parsed.data;
  const common: CommonConfig = {
    environment,
    repository,
    branch,
    commit,
    ...(owner ? { owner } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
  return Object.freeze(
    target === "local"
      ? { ...common, target, dataDir: dataDir as string }
      : { ...common, target, ...(permissionsBoundary ? { permissionsBoundary } : {}) },
  );
}
