import path from "node:path";
import * as z from "zod";

/** A path inside the branch's tree: relative, and never out of it. */
const treePath = z
  .string()
  .min(1)
  .refine((value) => !path.isAbsolute(value) && !path.normalize(value).split(/[\\/]/).includes(".."), {
    message: "must be a path inside the repository (relative, no '..')",
  });

/**
 * The capabilities a copy's stack may be given (CreateStack / CreateChangeSet `Capabilities`).
 * `CAPABILITY_AUTO_EXPAND` is added by itself for a template with a `Transform` (SAM).
 */
export const CLOUDFORMATION_CAPABILITIES = [
  "CAPABILITY_IAM",
  "CAPABILITY_NAMED_IAM",
  "CAPABILITY_AUTO_EXPAND",
] as const;

/**
 * A repository whose production is a CloudFormation stack (SAM, plain CloudFormation, or what the
 * CDK / Serverless Framework synthesize): the `cloudformation` block of a repository, instead of
 * `stackPath` (README, "CloudFormation copies"). Only `template` is required.
 */
export const cloudFormationConfigSchema = z
  .object({
    /**
     * The template, relative to the repository's root (YAML with its short tags, or JSON); with a
     * `build`, the build's `template` is deployed instead and this one is only its source.
     * @example "template.yaml"
     */
    template: treePath,
    /** The stack output whose value becomes the environment's `url`. @example "ApiUrl" */
    urlOutput: z.string().min(1).optional(),
    /**
     * The production stack whose parameters (DescribeStacks) are every copy's starting values.
     * @example "shop-prod"
     */
    productionStack: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$|^arn:\S+$/, "must be a CloudFormation stack name or ARN")
      .optional(),
    /** Parameter values on top of production's. @example { "Stage": "preview" } */
    parameters: z
      .record(z.string().regex(/^[A-Za-z0-9]{1,255}$/, "must be a parameter's logical name"), z.string())
      .optional(),
    /** IAM (and macro) capabilities the template needs. @example ["CAPABILITY_IAM"] */
    capabilities: z.array(z.enum(CLOUDFORMATION_CAPABILITIES)).optional(),
    /**
     * A command whose output is the template (the CDK, the Serverless Framework). Branch code: it
     * runs in the job's sandbox, with the job's credentials, in a writable copy of the checkout.
     */
    build: z
      .object({
        /** The argument vector, never a shell line. @example ["npx", "cdk", "synth", "-q"] */
        command: z.array(z.string().min(1)).min(1),
        /** The template the build writes, relative to the repository's root. @example "cdk.out/Shop.template.json" */
        template: treePath,
      })
      .strict()
      .optional(),
    /**
     * Deploy a template with hard-coded physical names (`TableName: orders`) anyway: copies then
     * collide with each other and with production. @default false
     */
    allowFixedNames: z.boolean().optional(),
  })
  .strict();

export type CloudFormationConfig = z.infer<typeof cloudFormationConfigSchema>;

/**
 * Problems of a repository as written in the file (before defaults): `stackPath` and
 * `cloudformation` name two kinds of copies, so a repository has one or the other; a CloudFormation
 * copy's config template is its production stack's parameters, never a Pulumi `template`.
 */
export function findCloudFormationKeyConflict(raw: unknown): string | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const keys = raw as Record<string, unknown>;
  if (keys.cloudformation !== undefined && keys.stackPath !== undefined)
    return "stackPath and cloudformation are exclusive: a repository's copies are a Pulumi stack project or a CloudFormation stack";
  if (keys.cloudformation !== undefined && keys.template !== undefined)
    return "template and cloudformation are exclusive: a CloudFormation copy's parameters start from cloudformation.productionStack's";
  return undefined;
}

/**
 * A CloudFormation copy needs CloudFormation: on the `local` target, only when an AWS endpoint is
 * configured (an emulator), since nothing on this machine emulates it by itself.
 */
export function findCloudFormationTargetProblem(
  repository: { name: string; target: string; cloudformation?: unknown },
  awsEndpoint: string | undefined,
): string | undefined {
  if (repository.cloudformation === undefined || repository.target !== "local" || awsEndpoint) return undefined;
  return `repositories: ${repository.name} has a cloudformation stack and the local target: nothing emulates CloudFormation on this machine; set "target": "aws" (or AWS_ENDPOINT_URL to an emulator)`;
}

/**
 * What a tree of the repository must hold to be deployable (an uploaded working tree is checked for
 * it): the stack project, or the CloudFormation template (with a build, the build makes it, so only
 * the tree itself is needed).
 */
export function requiredSourcePathOf(repository: {
  stackPath: string;
  cloudformation?: { template: string; build?: unknown };
}): string {
  if (!repository.cloudformation) return repository.stackPath;
  return repository.cloudformation.build ? "." : repository.cloudformation.template;
}
