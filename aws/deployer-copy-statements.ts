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
 *
 * Statements are grouped by what the request does (create, change, tag), each listing every
 * service's resources: an ARN names its service, so no action matches another service's ARN, and
 * the policy stays under IAM's 10,240 characters of inline policy per role.
 */
export function deployerCopyStatements(scope: DeployerScope): IamStatement[] {
  const arns = copyArns(scope);
  return [
    {
      Sid: "CreateCopyResources",
      Effect: "Allow",
      Action: ["dynamodb:CreateTable", "logs:CreateLogGroup", "lambda:CreateFunction", "apigateway:POST"],
      Resource: [arns.tables, arns.logGroups, arns.functions, arns.apis],
      Condition: COPY_CONDITIONS.create,
    },
    {
      // Reads too, where they hold data: a function's configuration holds its variables, its code
      // is downloadable, a role's policies say what it may do.
      Sid: "ChangeCopyResources",
      Effect: "Allow",
      Action: [
        ...["DeleteTable", "UpdateTable", "UpdateContinuousBackups", "UpdateTimeToLive"].map((a) => `dynamodb:${a}`),
        ...["DeleteLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy"].map((a) => `logs:${a}`),
        ...[
          "DeleteFunction",
          "UpdateFunctionCode",
          "UpdateFunctionConfiguration",
          "GetFunction",
          "GetFunctionConfiguration",
          "ListVersionsByFunction",
          "GetFunctionCodeSigningConfig",
          "GetFunctionConcurrency",
          "GetFunctionRecursionConfig",
          "GetRuntimeManagementConfig",
          "GetPolicy",
          "RemovePermission",
          "ListTags",
        ].map((a) => `lambda:${a}`),
        // An HTTP API's routes, integrations and stages are authorized with their API's tags.
        ...["GET", "POST", "PUT", "PATCH", "DELETE"].map((a) => `apigateway:${a}`),
        ...[
          "GetRole",
          "GetRolePolicy",
          "ListRolePolicies",
          "ListAttachedRolePolicies",
          "ListInstanceProfilesForRole",
          "ListRoleTags",
        ].map((a) => `iam:${a}`),
      ],
      Resource: [arns.tables, arns.logGroups, arns.functions, arns.apiParts, arns.roles],
      Condition: COPY_CONDITIONS.own,
    },
    {
      // A table's description and a log group's tags hold no item and no event: readable by name,
      // right after their creation too.
      Sid: "DescribeCopyResources",
      Effect: "Allow",
      Action: [
        ...["DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource"].map(
          (a) => `dynamodb:${a}`,
        ),
        "logs:ListTagsForResource",
        "logs:ListTagsLogGroup",
      ],
      Resource: [arns.tables, arns.logGroups],
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
      Sid: "TagCopyResources",
      Effect: "Allow",
      Action: [
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
        ...["TagResource", "UntagResource", "TagLogGroup", "UntagLogGroup"].map((a) => `logs:${a}`),
        "lambda:TagResource",
        "lambda:UntagResource",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      Resource: [arns.tables, arns.logGroups, arns.functions, arns.roles],
      Condition: COPY_CONDITIONS.tag,
    },
    ...copyRoles(scope, arns.roles),
    {
      // Only API Gateway may be let in: never `*` (a public function) nor another account.
      Sid: "LetApiGatewayInvokeCopyFunctions",
      Effect: "Allow",
      Action: ["lambda:AddPermission"],
      Resource: [arns.functions],
      Condition: {
        StringEquals: { ...COPY_CONDITIONS.own.StringEquals, "lambda:Principal": "apigateway.amazonaws.com" },
      },
    },
    {
      // API Gateway's tag endpoint (`/tags/<arn>`) has no aws:ResourceTag: through it no identity
      // tag may be set or taken off at all. Tag-on-create goes through the create call's aws:RequestTag.
      Sid: "TagCopyHttpApis",
      Effect: "Allow",
      Action: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:DELETE"],
      Resource: [arns.apiTags],
      Condition: { "ForAllValues:StringNotEquals": { "aws:TagKeys": IDENTITY_TAG_KEYS } },
    },
  ];
}

/** A copy's resources by name: `<environment>-*` wherever the ARN holds a name. */
function copyArns({ partition, region, account }: DeployerScope) {
  const env = SESSION.environment;
  const apigateway = `arn:${partition}:apigateway:${region}::`;
  return {
    tables: `arn:${partition}:dynamodb:${region}:${account}:table/${env}-*`,
    logGroups: `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${env}-*`,
    functions: `arn:${partition}:lambda:${region}:${account}:function:${env}-*`,
    roles: `arn:${partition}:iam::${account}:role/${env}-*`,
    // HTTP API ARNs hold a random id, not a name: created with the identity tags, then reached by tag.
    apis: `${apigateway}/apis`,
    apiParts: `${apigateway}/apis/*`,
    apiTags: `${apigateway}/tags/*`,
  };
}

/**
 * Every role a copy creates carries the boundary (aws/copy-boundary-policy.ts), checked by IAM on
 * every call that could change what the role may do (iam:PermissionsBoundary), so whatever a copy
 * puts in its roles' policies, they never reach past its own environment. The trust policy may
 * change (iam:UpdateAssumeRolePolicy, tag- and boundary-conditioned): whoever it lets in gets no
 * more than the boundary.
 */
function copyRoles({ partition, account, prefix }: DeployerScope, roles: string): IamStatement[] {
  const boundary = { "iam:PermissionsBoundary": copyBoundaryArnOf(account, prefix, partition) };
  return [
    {
      Sid: "CreateCopyRolesWithTheBoundary",
      Effect: "Allow",
      Action: ["iam:CreateRole"],
      Resource: [roles],
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
      Resource: [roles],
      Condition: { StringEquals: { ...COPY_CONDITIONS.own.StringEquals, ...boundary } },
    },
    {
      Sid: "PassCopyRolesToLambda",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [roles],
      Condition: {
        StringEquals: { ...COPY_CONDITIONS.own.StringEquals, "iam:PassedToService": "lambda.amazonaws.com" },
      },
    },
  ];
}
