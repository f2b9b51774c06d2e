import { IDENTITY_TAG_KEYS, SESSION } from "./copy-identity-conditions.ts";
import { copyBoundaryArnOf } from "./deployer-names.ts";
import type { DeployerScope } from "./deployer-scope.ts";
import type { IamStatement } from "./iam-policy-document.ts";

const TAGGING = ["dynamodb:TagResource", "lambda:TagResource", "iam:TagRole", "logs:TagResource", "logs:TagLogGroup"];
const UNTAGGING = [
  "dynamodb:UntagResource",
  "lambda:UntagResource",
  "iam:UntagRole",
  "logs:UntagResource",
  "logs:UntagLogGroup",
];
const CREATING = ["dynamodb:CreateTable", "lambda:CreateFunction", "iam:CreateRole", "logs:CreateLogGroup"];

/**
 * Explicit denies: they win over any allow, this policy's or one added later by hand. The only
 * wildcard actions of the platform's policies are here, in denies.
 */
export function deployerGuardrails(scope: DeployerScope): IamStatement[] {
  const { partition, region, account, prefix } = scope;
  return [
    {
      // The platform's own tables, queues, secrets, functions, roles (this one, the boundary) and logs,
      // whatever a copy is named: a name can be made to collide, a deny cannot be tagged away.
      Sid: "DenyThePlatformsResources",
      Effect: "Deny",
      Action: ["dynamodb:*", "sqs:*", "secretsmanager:*", "lambda:*", "iam:*", "logs:*"],
      Resource: [
        `arn:${partition}:dynamodb:${region}:${account}:table/${prefix}-*`,
        `arn:${partition}:sqs:${region}:${account}:${prefix}-*`,
        `arn:${partition}:secretsmanager:${region}:${account}:secret:${prefix}/*`,
        `arn:${partition}:lambda:${region}:${account}:function:${prefix}-*`,
        `arn:${partition}:iam::${account}:role/${prefix}-*`,
        `arn:${partition}:iam::${account}:policy/${prefix}-*`,
        `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${prefix}-*`,
      ],
    },
    {
      Sid: "DenyRemovingTheBoundary",
      Effect: "Deny",
      Action: ["iam:DeleteRolePermissionsBoundary"],
      Resource: [`arn:${partition}:iam::${account}:role/*`],
    },
    {
      // StringNotEquals also holds when the request names no boundary at all.
      Sid: "DenyRolesWithoutTheBoundary",
      Effect: "Deny",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
      Resource: [`arn:${partition}:iam::${account}:role/*`],
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": copyBoundaryArnOf(account, prefix, partition) } },
    },
    {
      Sid: "DenyTaggingIntoAnotherEnvironment",
      Effect: "Deny",
      Action: [...CREATING, ...TAGGING, "apigateway:POST", "apigateway:PUT", "apigateway:PATCH"],
      Resource: ["*"],
      Condition: {
        Null: { "aws:RequestTag/environment": "false" },
        StringNotEquals: { "aws:RequestTag/environment": SESSION.environment },
      },
    },
    {
      Sid: "DenyTakingIdentityTagsOff",
      Effect: "Deny",
      Action: [...UNTAGGING, "apigateway:DELETE"],
      Resource: ["*"],
      Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": IDENTITY_TAG_KEYS } },
    },
  ];
}
