import { fileURLToPath } from "node:url";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../physical-name.ts";
import type { ServiceConfig } from "../read-service-config.ts";
import { buildTags } from "./build-tags.ts";
import { BUNDLED_HANDLER, bundleHandler } from "./bundle-handler.ts";

export interface AwsService {
  /** The `$default` stage's URL, without the trailing slash; known once API Gateway may invoke the function. */
  url: pulumi.Output<string>;
  table: aws.dynamodb.Table;
  logGroup: aws.cloudwatch.LogGroup;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  fn: aws.lambda.Function;
  api: aws.apigatewayv2.Api;
  integration: aws.apigatewayv2.Integration;
  route: aws.apigatewayv2.Route;
  stage: aws.apigatewayv2.Stage;
  permission: aws.lambda.Permission;
}

type Tags = Record<string, string>;
type Names = ReturnType<typeof nameResources>;

/** The aws target: API Gateway HTTP API -> Lambda -> DynamoDB, every name from the environment's. */
export function createAwsService(config: Extract<ServiceConfig, { target: "aws" }>): AwsService {
  const names = nameResources(config.environment);
  const tags = buildTags(config);
  const table = createTable(names, tags);
  const logGroup = createLogGroup(names, tags);
  const { role, policy } = createRole(names, tags, { table, logGroup }, config.permissionsBoundary);
  const fn = createFunction(config, names, tags, { role, policy, logGroup, table });
  const { api, integration, route, stage, permission } = createHttpApi(names, tags, fn);
  const url = pulumi.all([stage.invokeUrl, permission.id]).apply(([invokeUrl]) => invokeUrl.replace(/\/+$/, ""));
  return { url, table, logGroup, role, policy, fn, api, integration, route, stage, permission };
}

/** Limits: https://docs.aws.amazon.com/general/latest/gr/aws-service-information.html per service. */
function nameResources(environment: string) {
  const fn = physicalName(environment, "api", 64); // Lambda function names: 64
  return {
    table: physicalName(environment, "items", 255), // DynamoDB table names: 255
    fn,
    logGroup: `/aws/lambda/${fn}`, // log group names: 512; Lambda's own convention
    role: physicalName(environment, "api-role", 64), // IAM role names: 64
    policy: physicalName(environment, "items-access", 128), // IAM inline policy names: 128
    api: physicalName(environment, "http", 128), // API Gateway API names: 128
  };
}

function createTable(names: Names, tags: Tags): aws.dynamodb.Table {
  return new aws.dynamodb.Table("items", {
    name: names.table,
    billingMode: "PAY_PER_REQUEST", // a copy costs nothing while idle
    hashKey: "id",
    attributes: [{ name: "id", type: "S" }],
    tags,
  });
}

/** Created before the function, so Lambda does not create it without a retention. */
function createLogGroup(names: Names, tags: Tags): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup("api-logs", { name: names.logGroup, retentionInDays: 14, tags });
}

/**
 * Item actions on its own table and writes to its own log group: nothing else. Under the platform
 * the role also carries its permissions boundary: the platform's deployer creates no role without it.
 */
function createRole(
  names: Names,
  tags: Tags,
  { table, logGroup }: { table: aws.dynamodb.Table; logGroup: aws.cloudwatch.LogGroup },
  permissionsBoundary: string | undefined,
) {
  const role = new aws.iam.Role("api-role", {
    name: names.role,
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    ...(permissionsBoundary && { permissionsBoundary }),
    tags,
  });
  const policy = new aws.iam.RolePolicy("api-items-access", {
    name: names.policy,
    role: role.name,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ItemsOfItsOwnTable",
          Effect: "Allow",
          Action: [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Scan",
            "dynamodb:Query",
          ],
          Resource: [table.arn],
        },
        {
          Sid: "ItsOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [pulumi.interpolate`${logGroup.arn}:*`],
        },
      ],
    }),
  });
  return { role, policy };
}

function createFunction(
  config: ServiceConfig,
  names: Names,
  tags: Tags,
  deps: {
    role: aws.iam.Role;
    policy: aws.iam.RolePolicy;
    logGroup: aws.cloudwatch.LogGroup;
    table: aws.dynamodb.Table;
  },
): aws.lambda.Function {
  const entry = fileURLToPath(new URL("../handler/lambda-handler.ts", import.meta.url));
  return new aws.lambda.Function(
    "api",
    {
      name: names.fn,
      role: deps.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: BUNDLED_HANDLER,
      code: bundleHandler(entry),
      memorySize: 256,
      timeout: 10, // well under API Gateway's 30 s integration limit
      environment: {
        variables: {
          TABLE_NAME: deps.table.name,
          STACKFORK_ENVIRONMENT: config.environment,
          STACKFORK_REPOSITORY: config.repository,
          STACKFORK_BRANCH: config.branch,
          STACKFORK_COMMIT: config.commit,
          ...(config.owner ? { STACKFORK_OWNER: config.owner } : {}),
        },
      },
      loggingConfig: { logFormat: "Text", logGroup: deps.logGroup.name },
      tags,
    },
    // The role must be allowed to write logs and items before the first request.
    { dependsOn: [deps.policy, deps.logGroup] },
  );
}

function createHttpApi(names: Names, tags: Tags, fn: aws.lambda.Function) {
  const api = new aws.apigatewayv2.Api("http", { name: names.api, protocolType: "HTTP", tags });
  const integration = new aws.apigatewayv2.Integration("http", {
    apiId: api.id,
    integrationType: "AWS_PROXY",
    integrationMethod: "POST",
    integrationUri: fn.invokeArn,
    payloadFormatVersion: "2.0",
  });
  const route = new aws.apigatewayv2.Route("http", {
    apiId: api.id,
    routeKey: "$default",
    target: pulumi.interpolate`integrations/${integration.id}`,
  });
  const stage = new aws.apigatewayv2.Stage(
    "http",
    {
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      // A preview copy needs little; this caps what a runaway client can cost.
      defaultRouteSettings: { throttlingBurstLimit: 50, throttlingRateLimit: 100 },
      tags,
    },
    { dependsOn: [route] },
  );
  const permission = new aws.lambda.Permission("http-invoke", {
    action: "lambda:InvokeFunction",
    function: fn.name,
    principal: "apigateway.amazonaws.com",
    sourceArn: pulumi.interpolate`${api.executionArn}/*`,
  });
  return { api, integration, route, stage, permission };
}
