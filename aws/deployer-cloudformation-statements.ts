import { COPY_CONDITIONS, SESSION } from "./copy-identity-conditions.ts";
import { artifactsBucketNameOf } from "./deployer-names.ts";
import type { DeployerScope } from "./deployer-scope.ts";
import type { IamStatement } from "./iam-policy-document.ts";

/**
 * What a CloudFormation copy (cloudformation/) needs beyond the copy statements: the calls of
 * cloudformation-copy-provider.ts and its SDK waiters on the environment's own stack (named after it,
 * `sf-` first when the name starts with a digit: cloudformation/copy-stack-name.ts), and its packaged
 * code under `artifacts/<project>/<environment>/` of the artifacts bucket
 * (cloudformation/resolve-artifact-location.ts). A stack's ARN holds its exact name before a `/`, so
 * `stack/shop-main/*` never matches `shop-main-2`'s.
 *
 * CloudFormation acts with the caller's credentials: it creates the stack's resources under the copy
 * statements (generated names `<stack>-<logical id>-<suffix>` start with the environment's name, the
 * stack's tags reach each resource's create call), reads a TemplateURL and Lambda reads the code
 * with them, and a nested stack (`<parent>-<logical id>-<suffix>`) is created, updated and deleted
 * with them (aws:CalledVia; logical ids hold no `-`, so no nested name is another environment's
 * stack). A managed policy of its own (aws/deployer-access.ts): IAM's 6,144 characters.
 */
export function deployerCloudFormationStatements(scope: DeployerScope): IamStatement[] {
  const { partition, region, account } = scope;
  const stacks = (...names: string[]) =>
    names.map((name) => `arn:${partition}:cloudformation:${region}:${account}:stack/${name}/*`);
  const env = SESSION.environment;
  const own = stacks(env, `sf-${env}`);
  const nested = stacks(`${env}-*`, `sf-${env}-*`);
  const calledViaCloudFormation = { "aws:CalledVia": ["cloudformation.amazonaws.com"] };
  const bucket = `arn:${partition}:s3:::${scope.stateBucket ?? artifactsBucketNameOf(scope.prefix, account)}`;
  const folder = `artifacts/${SESSION.project}/${env}/`;
  return [
    {
      // Change sets of updates carry the tags too; a stack's tags may be authorized as TagResource.
      Sid: "CreateCopyStack",
      Effect: "Allow",
      Action: ["cloudformation:CreateStack", "cloudformation:CreateChangeSet", "cloudformation:TagResource"],
      Resource: own,
      Condition: COPY_CONDITIONS.create,
    },
    {
      Sid: "ChangeCopyStack",
      Effect: "Allow",
      Action: [
        "cloudformation:DescribeChangeSet",
        "cloudformation:ExecuteChangeSet",
        "cloudformation:DeleteChangeSet",
        "cloudformation:DeleteStack",
        "cloudformation:DescribeStackEvents",
        "cloudformation:DescribeStackResources",
      ],
      Resource: own,
    },
    {
      Sid: "CreateNestedCopyStacks",
      Effect: "Allow",
      Action: ["cloudformation:CreateStack", "cloudformation:TagResource"],
      Resource: nested,
      Condition: { ...COPY_CONDITIONS.create, "ForAnyValue:StringEquals": calledViaCloudFormation },
    },
    {
      Sid: "ChangeNestedCopyStacks",
      Effect: "Allow",
      Action: [
        "cloudformation:UpdateStack",
        "cloudformation:DeleteStack",
        "cloudformation:DescribeStackEvents",
        "cloudformation:DescribeStackResources",
      ],
      Resource: nested,
      Condition: COPY_CONDITIONS.own,
    },
    {
      // AWS's own macros (SAM's AWS::Serverless-2016-10-31, AWS::Include...) run as a change set on
      // `aws:transform/<name>` (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-template.html).
      Sid: "UseAwsTransforms",
      Effect: "Allow",
      Action: ["cloudformation:CreateChangeSet"],
      Resource: [`arn:${partition}:cloudformation:${region}:aws:transform/*`],
    },
    {
      // The provider's reads and waits, and production's parameters (cloudformation/create-cloudformation-program.ts):
      // any stack's description (NoEcho values show as `****`), never its template or resources.
      Sid: "DescribeStacks",
      Effect: "Allow",
      Action: ["cloudformation:DescribeStacks"],
      Resource: ["*"],
    },
    {
      // Put by cloudformation/artifact-store.ts; read by CloudFormation (TemplateURL) and Lambda.
      Sid: "OwnArtifacts",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [`${bucket}/${folder}*`],
    },
    {
      // HeadObject of a missing key answers 404 (not 403) only to a caller that may list it.
      Sid: "ListOwnArtifacts",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucket],
      Condition: { StringLike: { "s3:prefix": [`${folder}*`] } },
    },
  ];
}
