/**
 * The session tags the worker passes when it assumes the deployer role for a job; the deployer's
 * policy reads them as `${aws:PrincipalTag/<key>}`:
 * - `environment`: the environment's name, its Pulumi stack name and the prefix of every cloud name of the copy;
 * - `project`: the Pulumi project name (core/project-name-of.ts: the repository's slug);
 * - `repository`: `owner/name`, as the copies tag their resources (stacks/service/aws/build-tags.ts).
 */
export const DEPLOYER_SESSION_TAG_KEYS = ["environment", "project", "repository"] as const;

export type DeployerSessionTags = Record<(typeof DEPLOYER_SESSION_TAG_KEYS)[number], string>;

/**
 * Names of what `<prefix>` owns for the copies: the role the worker assumes per job, the managed
 * policy every role a copy creates must carry as its permissions boundary, and the managed policy
 * of the deployer's CloudFormation rights (a managed one: the inline policy is at IAM's 10,240
 * characters). The prefix is at most 40 characters (aws/aws-resources.ts), so all fit IAM's limits
 * (roles 64, policies 128).
 */
export function deployerNames(prefix: string) {
  return {
    role: `${prefix}-deployer`,
    boundary: `${prefix}-copy-boundary`,
    cloudFormation: `${prefix}-deployer-cloudformation`,
  };
}

/** The deployer role's inline policy (aws/deployer-access.ts's `policy`). */
export const DEPLOYER_POLICY_NAME = "deploy-one-environment";

/** What `stackfork serve` and the worker default STACKFORK_DEPLOYER_ROLE_ARN to. */
export function deployerRoleArnOf(account: string, prefix: string, partition = "aws"): string {
  return `arn:${partition}:iam::${account}:role/${deployerNames(prefix).role}`;
}

/** A managed policy of the account, by name. */
export function managedPolicyArnOf(account: string, name: string, partition = "aws"): string {
  return `arn:${partition}:iam::${account}:policy/${name}`;
}

/**
 * The bucket CloudFormation copies' code is packaged into when the state is not on S3
 * (cloudformation/resolve-artifact-location.ts creates it): S3 names are lowercase `[a-z0-9-]`, at most 63.
 */
export function artifactsBucketNameOf(prefix: string, account: string): string {
  return `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-artifacts-${account}`.slice(0, 63);
}

/** What STACKFORK_PERMISSIONS_BOUNDARY_ARN (the stack config `stackfork:permissionsBoundary`) defaults to. */
export function copyBoundaryArnOf(account: string, prefix: string, partition = "aws"): string {
  return managedPolicyArnOf(account, deployerNames(prefix).boundary, partition);
}
