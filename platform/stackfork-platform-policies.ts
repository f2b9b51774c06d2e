import * as pulumi from "@pulumi/pulumi";
import { DYNAMODB_ITEM_ACTIONS } from "../aws/dynamodb-item-actions.ts";

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

/** Every item action of the platform's adapters (registry/, queue/, reconciliation). */
export const ALL_ITEM_ACTIONS = DYNAMODB_ITEM_ACTIONS;

/**
 * What intake calls (registry/dynamodb-registry.ts: rememberDelivery, forgetDelivery,
 * ensureEnvironment, findEnvironment, updateEnvironment, appendEvent, listEvents; queue/aws-job-queue.ts:
 * enqueue, listPending): Get/Put/UpdateItem and Query, also inside TransactWriteItems, which IAM
 * authorizes item by item. No Scan, no delete, no batch write: a forged delivery that got past the
 * signature could not empty or read the tables wholesale.
 */
export const INTAKE_ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"];

/** Items of the registry and jobs tables and their indexes; the tables themselves are the program's. */
export function tableItems(tableArns: pulumi.Input<string>[], actions: string[] = ALL_ITEM_ACTIONS): PolicyStatement {
  return {
    Sid: "TableItems",
    Effect: "Allow",
    Action: actions,
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

/**
 * What environments cost (issue 21): CloudWatch's metrics, log groups' stored bytes and Cost
 * Explorer's figures. None of these has resource-level permissions: `*` is the only resource they take.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export function readUsage(): PolicyStatement {
  return {
    Sid: "ReadUsage",
    Effect: "Allow",
    Action: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "logs:DescribeLogGroups", "ce:GetCostAndUsage"],
    Resource: ["*"],
  };
}

/** A copy's table size and a function's memory, in the platform's region: descriptions, never items or code. */
export function describeCopies(region: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "DescribeCopies",
    Effect: "Allow",
    Action: ["dynamodb:DescribeTable", "lambda:GetFunctionConfiguration"],
    Resource: [
      pulumi.interpolate`arn:aws:dynamodb:${region}:*:table/*`,
      pulumi.interpolate`arn:aws:lambda:${region}:*:function:*`,
    ],
  };
}

/** Uploaded working trees, which the worker unpacks as a job's source (uploads/create-s3-upload-bucket.ts). */
export function readUploads(bucketArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "ReadUploads",
    Effect: "Allow",
    Action: ["s3:GetObject"],
    Resource: [pulumi.interpolate`${bucketArn}/uploads/*`],
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

/**
 * The bucket's objects are encrypted with the key (SSE-KMS), which S3 uses on the caller's behalf:
 * only through S3, for this bucket (with a bucket key, S3's encryption context is the bucket's ARN).
 * The key's other use, the stacks' secrets, is the deployer's alone (aws/deployer-state-statements.ts).
 */
export function useKeyThroughS3(
  keyArn: pulumi.Input<string>,
  bucketArn: pulumi.Input<string>,
  region: pulumi.Input<string>,
  actions: string[],
): PolicyStatement {
  return {
    Sid: "UseKeyThroughS3",
    Effect: "Allow",
    Action: actions,
    Resource: [keyArn],
    Condition: {
      StringEquals: {
        "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com`,
        "kms:EncryptionContext:aws:s3:arn": bucketArn,
      },
    },
  };
}

/**
 * The worker's only way to deploy: the deployer role, assumed per job with the environment's session
 * tags (aws/assume-deployer-role.ts). The worker's own rights never reach a copy or a stack's state.
 */
export function assumeDeployer(deployerRoleArn: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "AssumeDeployer",
    Effect: "Allow",
    Action: ["sts:AssumeRole", "sts:TagSession"],
    Resource: [deployerRoleArn],
  };
}
