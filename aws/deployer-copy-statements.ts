import { COPY_CONDITIONS, IDENTITY_TAG_KEYS, SESSION } from "./copy-identity-conditions.ts";
import { copyBoundaryArnOf } from "./deployer-names.ts";
import type { DeployerScope } from "./deployer-scope.ts";
import type { IamStatement } from "./iam-policy-document.ts";

/**
 * What the deployer needs to deploy and destroy one copy of stacks/service/aws/create-aws-service.ts
 * (DynamoDB table, log group, IAM role with an inline policy, Lambda function and its permission,
 * API Gateway HTTP API), with the reads the Pulumi AWS provider makes to refresh them.
 *
 * Names alone do not keep environments apart: `shop-main-*` also matches `shop-main-2-items`, a
 * table of environment `shop-main-2`. So names only narrow; what decides is the `environment` tag,
 * required on creation (aws:RequestTag) and on every change or data read (aws:ResourceTag), for each
 * resource type that supports it in the service authorization reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * Metadata reads with no data in them (DescribeTable, DescribeLogGroups) stay name-scoped only.
 */
export function deployerCopyStatements(scope: DeployerScope): IamStatement[] {
  return [
    ...copyTables(scope),
    ...copyLogGroups(scope),
    ...copyRoles(scope),
    ...copyFunctions(scope),
    ...copyHttpApis(scope),
  ];
}

function copyTables({ partition, region, account }: DeployerScope): IamStatement[] {
  const tables = [`arn:${partition}:dynamodb:${region}:${account}:table/${SESSION.environment}-*`];
  return [
    {
      Sid: "CreateCopyTables",
      Effect: "Allow",
      Action: ["dynamodb:CreateTable"],
      Resource: tables,
      Condition: COPY_CONDITIONS.create,
    },
    {
      Sid: "ChangeCopyTables",
      Effect: "Allow",
      Action: [
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:UpdateTimeToLive",
      ],
      Resource: tables,
      Condition: COPY_CONDITIONS.own,
    },
    {
      // A table's description holds no item: readable by name, right after CreateTable too.
      Sid: "DescribeCopyTables",
      Effect: "Allow",
      Action: [
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:ListTagsOfResource",
      ],
      Resource: tables,
    },
    {
      Sid: "TagCopyTables",
      Effect: "Allow",
      Action: ["dynamodb:TagResource", "dynamodb:UntagResource"],
      Resource: tables,
      Condition: COPY_CONDITIONS.tag,
    },
  ];
}

function copyLogGroups({ partition, region, account }: DeployerScope): IamStatement[] {
  const logGroups = [`arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${SESSION.environment}-*`];
  return [
    {
      Sid: "CreateCopyLogGroups",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup"],
      Resource: logGroups,
      Condition: COPY_CONDITIONS.create,
    },
    {
      Sid: "ChangeCopyLogGroups",
      Effect: "Allow",
      Action: ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy"],
      Resource: logGroups,
      Condition: COPY_CONDITIONS.own,
    },
    {
      Sid: "ReadCopyLogGroupTags",
      Effect: "Allow",
      Action: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
      Resource: logGroups,
    },
    {
      // The provider finds a log group by listing (DescribeLogGroups), which takes no resource but `*`
      // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html):
      // names and settings, never events.
      Sid: "DescribeLogGroups",
      Effect: "Allow",
      Action: ["logs:DescribeLogGroups"],
      Resource: ["*"],
    },
    {
      Sid: "TagCopyLogGroups",
      Effect: "Allow",
      Action: ["logs:TagResource", "logs:UntagResource", "logs:TagLogGroup", "logs:UntagLogGroup"],
      Resource: logGroups,
      Condition: COPY_CONDITIONS.tag,
    },
  ];
}

/**
 * Every role a copy creates carries the boundary (aws/copy-boundary-policy.ts), checked by IAM on
 * every call that could change what the role may do (iam:PermissionsBoundary), so whatever a copy
 * puts in its roles' policies, they never reach past its own environment. The trust policy may
 * change (iam:UpdateAssumeRolePolicy, tag- and boundary-conditioned): whoever it lets in gets no
 * more than the boundary.
 */
function copyRoles({ partition, account, prefix }: DeployerScope): IamStatement[] {
  const roles = [`arn:${partition}:iam::${account}:role/${SESSION.environment}-*`];
  const boundary = { "iam:PermissionsBoundary": copyBoundaryArnOf(account, prefix, partition) };
  return [
    {
      Sid: "CreateCopyRolesWithTheBoundary",
      Effect: "Allow",
      Action: ["iam:CreateRole"],
      Resource: roles,
      Condition: { StringEquals: { ...COPY_CONDITIONS.create.StringEquals, ...boundary } },
    },
    {
      Sid: "ChangeCopyRolesWithTheBoundary",
      Effect: "Allow",
      Action: [
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePermissionsBoundary",
      ],
      Resource: roles,
      Condition: { StringEquals: { ...COPY_CONDITIONS.own.StringEquals, ...boundary } },
    },
    {
      Sid: "ReadCopyRoles",
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRoleTags",
      ],
      Resource: roles,
      Condition: COPY_CONDITIONS.own,
    },
    {
      Sid: "TagCopyRoles",
      Effect: "Allow",
      Action: ["iam:TagRole", "iam:UntagRole"],
      Resource: roles,
      Condition: COPY_CONDITIONS.tag,
    },
    {
      Sid: "PassCopyRolesToLambda",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: roles,
      Condition: {
        StringEquals: { ...COPY_CONDITIONS.own.StringEquals, "iam:PassedToService": "lambda.amazonaws.com" },
      },
    },
  ];
}

function copyFunctions({ partition, region, account }: DeployerScope): IamStatement[] {
  const functions = [`arn:${partition}:lambda:${region}:${account}:function:${SESSION.environment}-*`];
  return [
    {
      Sid: "CreateCopyFunctions",
      Effect: "Allow",
      Action: ["lambda:CreateFunction"],
      Resource: functions,
      Condition: COPY_CONDITIONS.create,
    },
    {
      // Reads too: a function's configuration holds its variables, its code is downloadable.
      Sid: "ChangeCopyFunctions",
      Effect: "Allow",
      Action: [
        "lambda:DeleteFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:ListVersionsByFunction",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetFunctionConcurrency",
        "lambda:GetFunctionRecursionConfig",
        "lambda:GetRuntimeManagementConfig",
        "lambda:GetPolicy",
        "lambda:RemovePermission",
        "lambda:ListTags",
      ],
      Resource: functions,
      Condition: COPY_CONDITIONS.own,
    },
    {
      // Only API Gateway may be let in: never `*` (a public function) nor another account.
      Sid: "LetApiGatewayInvokeCopyFunctions",
      Effect: "Allow",
      Action: ["lambda:AddPermission"],
      Resource: functions,
      Condition: {
        StringEquals: { ...COPY_CONDITIONS.own.StringEquals, "lambda:Principal": "apigateway.amazonaws.com" },
      },
    },
    {
      Sid: "TagCopyFunctions",
      Effect: "Allow",
      Action: ["lambda:TagResource", "lambda:UntagResource"],
      Resource: functions,
      Condition: COPY_CONDITIONS.tag,
    },
  ];
}

/**
 * HTTP API ARNs hold a random id, not a name: created with the identity tags, then reached by tag
 * (an API's routes, integrations and stages are authorized with their API's tags). API Gateway's
 * tag endpoint (`/tags/<arn>`) has no aws:ResourceTag, so through it no identity tag may be set or
 * taken off at all: tag-on-create goes through the create call's aws:RequestTag.
 */
function copyHttpApis({ partition, region }: DeployerScope): IamStatement[] {
  const apis = `arn:${partition}:apigateway:${region}::/apis`;
  return [
    {
      Sid: "CreateCopyHttpApis",
      Effect: "Allow",
      Action: ["apigateway:POST"],
      Resource: [apis],
      Condition: COPY_CONDITIONS.create,
    },
    {
      Sid: "ChangeCopyHttpApis",
      Effect: "Allow",
      Action: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"],
      Resource: [`${apis}/*`],
      Condition: COPY_CONDITIONS.own,
    },
    {
      Sid: "TagCopyHttpApis",
      Effect: "Allow",
      Action: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:DELETE"],
      Resource: [`arn:${partition}:apigateway:${region}::/tags/*`],
      Condition: { "ForAllValues:StringNotEquals": { "aws:TagKeys": IDENTITY_TAG_KEYS } },
    },
  ];
}
