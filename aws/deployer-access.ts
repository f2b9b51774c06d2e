import { copyBoundaryPolicy } from "./copy-boundary-policy.ts";
import { deployerCloudFormationStatements } from "./deployer-cloudformation-statements.ts";
import { deployerCopyStatements } from "./deployer-copy-statements.ts";
import { deployerGuardrails } from "./deployer-guardrails.ts";
import { copyBoundaryArnOf, deployerNames, deployerRoleArnOf, managedPolicyArnOf } from "./deployer-names.ts";
import type { DeployerScope } from "./deployer-scope.ts";
import { deployerStateStatements } from "./deployer-state-statements.ts";
import { deployerTrustPolicy } from "./deployer-trust-policy.ts";
import type { IamPolicyDocument } from "./iam-policy-document.ts";

export interface DeployerAccess {
  roleName: string;
  roleArn: string;
  boundaryName: string;
  boundaryArn: string;
  cloudFormationPolicyName: string;
  cloudFormationPolicyArn: string;
  /** The deployer role's inline policy: one environment's copy and stack, by its session tags. */
  policy: IamPolicyDocument;
  /**
   * A managed policy attached to the deployer role: one environment's CloudFormation stack and
   * packaged code (the inline policy is at IAM's 10,240 characters; a managed one has 6,144 of its own).
   */
  cloudFormationPolicy: IamPolicyDocument;
  /** The managed policy every role of a copy carries as its permissions boundary. */
  boundary: IamPolicyDocument;
  /** The deployer role's trust policy. */
  trust: IamPolicyDocument;
}

/**
 * The one definition of what a branch's code may reach on AWS (DESIGN.md, "Trust boundaries"): the
 * worker assumes the deployer role per job with the environment's session tags and hands only
 * those temporary credentials to the runner. `stackfork aws bootstrap` creates these documents with
 * the SDK, the platform program with @pulumi/aws: both from here.
 */
export function defineDeployerAccess(scope: DeployerScope, trusted: readonly string[]): DeployerAccess {
  const names = deployerNames(scope.prefix);
  return {
    roleName: names.role,
    roleArn: deployerRoleArnOf(scope.account, scope.prefix, scope.partition),
    boundaryName: names.boundary,
    boundaryArn: copyBoundaryArnOf(scope.account, scope.prefix, scope.partition),
    cloudFormationPolicyName: names.cloudFormation,
    cloudFormationPolicyArn: managedPolicyArnOf(scope.account, names.cloudFormation, scope.partition),
    policy: {
      Version: "2012-10-17",
      Statement: [...deployerCopyStatements(scope), ...deployerStateStatements(scope), ...deployerGuardrails(scope)],
    },
    cloudFormationPolicy: { Version: "2012-10-17", Statement: deployerCloudFormationStatements(scope) },
    boundary: copyBoundaryPolicy(scope),
    trust: deployerTrustPolicy(trusted),
  };
}
