import * as z from "zod";
import { cloudFormationConfigSchema, findCloudFormationKeyConflict } from "./cloudformation-config.ts";
import { copyConfigShape } from "./copy-config-schema.ts";

/**
 * The event policy's per-repository options (DESIGN.md, "Event policy"). Every one has a default, so
 * a repository listed with only its name gets the policy of the table.
 */
const eventPolicySchema = z.object({
  /**
   * Pull requests whose head branch is in the repository deploy that branch's environment and link
   * it to the pull request; off: only pushes deploy branches, and pull request events are ignored.
   * @default true
   */
  pullRequestEnvironments: z.boolean().default(true),
  /**
   * Draft pull requests are deployed like any other (as Vercel does): a draft is often the very
   * thing someone wants to show. Off: drafts wait for `ready_for_review`.
   * @default true
   */
  deployDraftPullRequests: z.boolean().default(true),
  /**
   * Closing a pull request destroys its head branch's environment unless this is on (the branch's
   * own deletion still destroys it).
   * @default false
   */
  keepBranchEnvironmentOnClose: z.boolean().default(false),
  /**
   * Adding this label to a fork's pull request approves its head commit, like `/stackfork deploy`.
   * @default "stackfork:approved"
   */
  approvalLabel: z.string().min(1).max(50).default("stackfork:approved"),
  /**
   * Every new push to an approved fork pull request needs a new approval (its code runs with deploy
   * credentials). Off: one approval covers later pushes until the pull request is closed.
   * @default true
   */
  reapproveForkPushes: z.boolean().default(true),
  /**
   * The longest `/stackfork extend <duration>` accepted, in hours.
   * @default 168 (7 days)
   */
  extendMaxHours: z.number().positive().max(8760).default(168),
});

export type EventPolicyOptions = z.infer<typeof eventPolicySchema>;

/** The table's defaults, from the schema itself (one source). */
export const defaultEventPolicy: Readonly<EventPolicyOptions> = Object.freeze(eventPolicySchema.parse({}));

/** One repository in the config file's `repositories`. */
const repositoryObjectSchema = z
  .object({
    /** `owner/name`, as GitHub's `repository.full_name`. */
    name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be owner/name"),
    /** A local clone to read commits from (offline source). Without it the source comes from GitHub. */
    localPath: z.string().min(1).optional(),
    /** The stack project inside the repository. */
    stackPath: z.string().min(1).default("stacks/service"),
    /** Pushes to this branch are ignored: it is production, not a preview. */
    defaultBranch: z.string().min(1).default("main"),
    /** Where copies run: `local` (loopback, embedded) or `aws`. */
    target: z.enum(["local", "aws"]).default("local"),
    /** Hours an environment lives without a new deploy; 0 = no expiry. */
    ttlHours: z.number().nonnegative().default(72),
    /**
     * The id of the repository's own webhook (Settings -> Webhooks, the number in its URL), when
     * stackfork is reached by a repository webhook and a token rather than a GitHub App: its failed
     * deliveries are then asked again by each reconciliation. A GitHub App's hook needs no id.
     * @example 412345678
     */
    webhookHookId: z.number().int().positive().optional(),
    /**
     * Run the install scripts (`preinstall`, `postinstall`...) of the stack project's dependencies.
     * They are branch code: they run in the job's sandbox all the same. @default false (`npm ci --ignore-scripts`)
     */
    installScripts: z.boolean().optional(),
    /** Who opens the previews: `public` (anyone who reaches the router) or `link` (a share link). @default "public" */
    previewAccess: z.enum(["public", "link"]).optional(),
    /**
     * The copies are CloudFormation stacks (SAM, plain CloudFormation, CDK output) instead of the
     * Pulumi project at `stackPath` (core/cloudformation-config.ts). Exclusive with `stackPath`.
     */
    cloudformation: cloudFormationConfigSchema.optional(),
    /** A copy's config and data: `template`, `overrides`, `neverCopy`, `seed` (core/copy-config-schema.ts). */
    ...copyConfigShape,
    ...eventPolicySchema.shape,
  })
  .strict();

/** A repository as written, checked for what a default would hide (`stackPath` beside `cloudformation`). */
export const repositorySchema = z.preprocess((raw, ctx) => {
  const conflict = findCloudFormationKeyConflict(raw);
  if (conflict) ctx.issues.push({ code: "custom", message: conflict, input: raw, path: ["cloudformation"] });
  return raw;
}, repositoryObjectSchema);

/**
 * A repository as loaded (every option filled in). The event policy's options are optional in the
 * type so that a repository built by hand (tests, tools) needs none of them: `readEventPolicy`
 * fills the defaults.
 */
export type RepositoryConfig = Omit<z.infer<typeof repositoryObjectSchema>, keyof EventPolicyOptions> &
  Partial<EventPolicyOptions>;

/** The repository's event policy options, defaults filled in. */
export function readEventPolicy(repository: RepositoryConfig): EventPolicyOptions {
  return {
    pullRequestEnvironments: repository.pullRequestEnvironments ?? defaultEventPolicy.pullRequestEnvironments,
    deployDraftPullRequests: repository.deployDraftPullRequests ?? defaultEventPolicy.deployDraftPullRequests,
    keepBranchEnvironmentOnClose:
      repository.keepBranchEnvironmentOnClose ?? defaultEventPolicy.keepBranchEnvironmentOnClose,
    approvalLabel: repository.approvalLabel ?? defaultEventPolicy.approvalLabel,
    reapproveForkPushes: repository.reapproveForkPushes ?? defaultEventPolicy.reapproveForkPushes,
    extendMaxHours: repository.extendMaxHours ?? defaultEventPolicy.extendMaxHours,
  };
}
