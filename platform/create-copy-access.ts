import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type DeployerAccess, defineDeployerAccess } from "../aws/deployer-access.ts";
import { DEPLOYER_POLICY_NAME, deployerNames } from "../aws/deployer-names.ts";
import type { PlatformLocation } from "./locate-platform.ts";

/** The deployer role the worker assumes per job, its policies, and the boundary of every role a copy creates. */
export interface CopyAccess {
  deployer: aws.iam.Role;
  boundary: aws.iam.Policy;
  deployerPolicy: aws.iam.RolePolicy;
  /** CloudFormation copies' rights: a managed policy, as the inline one is at IAM's 10,240 characters. */
  cloudFormationPolicy: aws.iam.Policy;
  cloudFormationAttachment: aws.iam.RolePolicyAttachment;
}

/**
 * The deployer role (its inline and its CloudFormation policy) and the copies' boundary, from the
 * one definition `stackfork aws bootstrap` also creates them from (aws/deployer-access.ts). Only the worker's role may assume the
 * deployer, and only with an environment's session tags.
 */
export function createCopyAccess(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    prefix: string;
    location: PlatformLocation;
    worker: aws.iam.Role;
    key: aws.kms.Key;
    bucket: aws.s3.Bucket;
  },
): CopyAccess {
  const { name, prefix, location } = deps;
  const names = deployerNames(prefix);
  const access: pulumi.Output<DeployerAccess> = pulumi
    .all([location.partition, location.region, location.account, deps.bucket.bucket, deps.key.arn, deps.worker.arn])
    .apply(([partition, region, account, stateBucket, kmsKeyArn, worker]) =>
      defineDeployerAccess({ partition, region, account, prefix, stateBucket, kmsKeyArn }, [worker]),
    );
  const boundary = new aws.iam.Policy(
    `${name}-copy-boundary`,
    {
      name: names.boundary,
      description: "stackfork: permissions boundary of every role a copy creates",
      policy: access.apply((a) => JSON.stringify(a.boundary)),
    },
    { parent },
  );
  const deployer = new aws.iam.Role(
    `${name}-deployer`,
    {
      name: names.role, // IAM role names: 64
      description: "stackfork: assumed per job with the environment's session tags; reaches that environment only",
      assumeRolePolicy: access.apply((a) => JSON.stringify(a.trust)),
      // Also the most a session chained from the worker's own may ask for.
      maxSessionDuration: 3600,
    },
    { parent },
  );
  const deployerPolicy = new aws.iam.RolePolicy(
    `${name}-deployer-access`,
    { name: DEPLOYER_POLICY_NAME, role: deployer.name, policy: access.apply((a) => JSON.stringify(a.policy)) },
    // The policy names the boundary by ARN: it exists first.
    { parent, dependsOn: [boundary] },
  );
  const cloudFormationPolicy = new aws.iam.Policy(
    `${name}-deployer-cloudformation`,
    {
      name: names.cloudFormation,
      description: "stackfork: the deployer's CloudFormation stack and artifacts of one environment",
      policy: access.apply((a) => JSON.stringify(a.cloudFormationPolicy)),
    },
    { parent },
  );
  const cloudFormationAttachment = new aws.iam.RolePolicyAttachment(
    `${name}-deployer-cloudformation`,
    { role: deployer.name, policyArn: cloudFormationPolicy.arn },
    { parent },
  );
  return { deployer, boundary, deployerPolicy, cloudFormationPolicy, cloudFormationAttachment };
}
