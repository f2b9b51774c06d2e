import * as pulumi from "@pulumi/pulumi";

/**
 * IAM statements of the platform's roles. Every action is named: no `*` and no `service:*`
 * (platform/stackfork-platform.test.ts walks every document and fails on one).
 */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  /** Only in resource policies (the bucket's). */
  Principal?: "*";
  Action: string[];
  Resource: pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

export function assumedByService(service: string, account?: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        // Confused deputy: only on behalf of this account (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
        ...(account && { Condition: { StringEquals: { "aws:SourceAccount": account } } }),
      },
    ],
  });
}

/** Items of the registry and jobs tables and their indexes; the tables themselves are the program's. */
export function tableItems(tableArns: pulumi.Input<string>[]): PolicyStatement {
  return {
    Sid: "TableItems",
    Effect: "Allow",
    Action: [
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
    ],
    Resource: tableArns.flatMap((arn) => [arn, pulumi.interpolate`${arn}/index/*`]),
  };
}

export function ownLogs(logGroupArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "OwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [pulumi.interpolate`${logGroupArn}:*`],
  };
}

export function readSecrets(secretArns: pulumi.Input<string>[]): PolicyStatement {
  return { Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArns };
}

export function sendWakes(queueArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "SendWakes",
    Effect: "Allow",
    Action: ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
    Resource: [queueArn],
  };
}

/** What the event source mapping needs of the function's role, plus giving a message back early. */
export function receiveWakes(queueArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "ReceiveWakes",
    Effect: "Allow",
    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
    Resource: [queueArn],
  };
}

export function listState(bucketArn: pulumi.Input<string>): PolicyStatement {
  return { Sid: "ListState", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] };
}

/**
 * Cloud orphans: the copies' resources found by their tags. GetResources has no resource-level
 * permissions, so `*` is the only resource it takes; it reads tags, never the resources.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegroupstaggingapi.html
 */
export function findTaggedResources(): PolicyStatement {
  return { Sid: "FindTaggedResources", Effect: "Allow", Action: ["tag:GetResources"], Resource: ["*"] };
}

export function stateObjects(bucketArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "StateObjects",
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
    Resource: [pulumi.interpolate`${bucketArn}/*`],
  };
}

/** Presigned PUTs of working trees are signed with the dashboard's rights, so it needs exactly that one. */
export function putUploads(bucketArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "PutUploads",
    Effect: "Allow",
    Action: ["s3:PutObject"],
    Resource: [pulumi.interpolate`${bucketArn}/uploads/*`],
  };
}

/** The bucket's objects are encrypted with the key (SSE-KMS), and so are the stacks' secrets (awskms://). */
export function useKey(keyArn: pulumi.Input<string>, actions: string[]): PolicyStatement {
  return { Sid: "UseKey", Effect: "Allow", Action: actions, Resource: [keyArn] };
}

export interface CopyScope {
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  account: pulumi.Input<string>;
  /** What every resource name of a copy starts with (one per configured repository). */
  namePrefixes: readonly string[];
}

/**
 * What the worker needs to deploy and destroy copies of stacks/service/aws/create-aws-service.ts
 * (DynamoDB table, log group, IAM role with an inline policy, Lambda function and its permission,
 * API Gateway HTTP API), with the reads the Pulumi AWS provider makes to refresh them. Scoped to
 * the copies' name prefixes wherever the ARN holds a name; API Gateway ARNs hold only a random
 * id, so its rights are scoped to this region's HTTP APIs. Kept apart from the worker's own rights
 * so that either can be read, changed and reviewed alone.
 */
export function deployCopies(scope: CopyScope): PolicyStatement[] {
  const { partition, region, account } = scope;
  const names = (arn: (prefix: string) => pulumi.Output<string>) => scope.namePrefixes.map(arn);
  return [
    {
      Sid: "CopyTables",
      Effect: "Allow",
      Action: [
        "dynamodb:CreateTable",
        "dynamodb:DeleteTable",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeTimeToLive",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:ListTagsOfResource",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
      ],
      Resource: names((p) => pulumi.interpolate`arn:${partition}:dynamodb:${region}:${account}:table/${p}*`),
    },
    {
      Sid: "CopyLogGroups",
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:ListTagsForResource",
        "logs:TagLogGroup",
        "logs:UntagLogGroup",
        "logs:ListTagsLogGroup",
      ],
      Resource: names(
        (p) => pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${p}*`,
      ),
    },
    {
      // DescribeLogGroups is authorized on the account's log groups as a whole.
      Sid: "DescribeLogGroups",
      Effect: "Allow",
      Action: ["logs:DescribeLogGroups"],
      Resource: [pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:*`],
    },
    {
      Sid: "CopyRoles",
      Effect: "Allow",
      Action: [
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:UpdateRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRoleTags",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
      Resource: names((p) => pulumi.interpolate`arn:${partition}:iam::${account}:role/${p}*`),
    },
    {
      Sid: "PassCopyRolesToLambda",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: names((p) => pulumi.interpolate`arn:${partition}:iam::${account}:role/${p}*`),
      Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
    },
    {
      Sid: "CopyFunctions",
      Effect: "Allow",
      Action: [
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:ListVersionsByFunction",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetFunctionConcurrency",
        "lambda:GetFunctionRecursionConfig",
        "lambda:GetRuntimeManagementConfig",
        "lambda:GetPolicy",
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:ListTags",
        "lambda:TagResource",
        "lambda:UntagResource",
      ],
      Resource: names((p) => pulumi.interpolate`arn:${partition}:lambda:${region}:${account}:function:${p}*`),
    },
    {
      Sid: "CopyHttpApis",
      Effect: "Allow",
      Action: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"],
      Resource: [
        pulumi.interpolate`arn:${partition}:apigateway:${region}::/apis`,
        pulumi.interpolate`arn:${partition}:apigateway:${region}::/apis/*`,
        pulumi.interpolate`arn:${partition}:apigateway:${region}::/tags/*`,
      ],
    },
  ];
}
