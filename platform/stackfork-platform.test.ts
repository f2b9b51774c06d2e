import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { defineAwsResources, WORKER_TIMEOUT_SECONDS } from "../aws/aws-resources.ts";
import { queueAttributes } from "../aws/bootstrap-aws-resources.ts";
import { defineDeployerAccess } from "../aws/deployer-access.ts";
import { copyBoundaryArnOf, DEPLOYER_POLICY_NAME, deployerRoleArnOf } from "../aws/deployer-names.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { resolveOutput } from "../stacks/service/testing/resolve-output.ts";
import { simulateIamRequest } from "../test/support/simulate-iam-request.ts";
import { bundlePlatformHandler } from "./stackfork-platform-bundle.ts";
import { copyNamePrefix } from "./stackfork-platform-copy-names.ts";

// biome-ignore lint/suspicious/noExplicitAny: resource properties are free-form JSON, read by path in assertions
type Properties = Record<string, any>;

interface RegisteredResource {
  type: string;
  name: string;
  inputs: Properties;
  state: Properties;
}

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Properties;
}

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const PREFIX = "sf-test";
const registered: RegisteredResource[] = [];
const fixtureHandler = fileURLToPath(new URL("./stackfork-platform-fixture-handler.ts", import.meta.url));
const fixtureHandlers = { webhook: fixtureHandler, dashboard: fixtureHandler, reaper: fixtureHandler };
const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** Computed outputs the way AWS forms them, from the inputs the program sent. */
function computedState(type: string, name: string, inputs: Properties): Properties {
  switch (type) {
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}-key-id`, keyId: `${name}-key-id` };
    case "aws:s3/bucket:Bucket": {
      const bucket = `${inputs.bucketPrefix}20260101`;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case "aws:dynamodb/table:Table":
      return { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${inputs.name}` };
    case "aws:sqs/queue:Queue":
      return {
        arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${inputs.name}`,
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${inputs.name}`,
      };
    case "aws:secretsmanager/secret:Secret":
      return { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${inputs.name}-AbCdEf` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${inputs.name}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name}` };
    case "aws:iam/policy:Policy":
      return { arn: `arn:aws:iam::${ACCOUNT}:policy/${inputs.name}` };
    case "aws:lambda/function:Function":
      return { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${inputs.name}` };
    case "aws:lambda/functionUrl:FunctionUrl":
      return { functionUrl: `https://${inputs.functionName}-url-id.lambda-url.${REGION}.on.aws/` };
    case "aws:ecr/repository:Repository":
      return { repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${inputs.name}` };
    // awsx's Image is a component of docker-build resources run by its own plugin: mocked whole.
    case "awsx:ecr:Image":
      return { imageUri: `${inputs.repositoryUrl}@sha256:${"ab".repeat(32)}` };
    case "aws:sns/topic:Topic":
      return { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${inputs.name}` };
    case "aws:scheduler/schedule:Schedule":
      return { arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${inputs.name}` };
    default:
      return {};
  }
}

let outputs: Properties;
let defaultsOutputs: Properties;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getRegion:getRegion":
            return { id: REGION, name: REGION, region: REGION };
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/operator`, userId: "operator" };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          default:
            throw new Error(`unexpected call ${args.token}`);
        }
      },
    },
    "stackfork-platform",
    "test",
    false,
  );
  pulumi.runtime.setAllConfig({
    "aws:region": REGION,
    "stackfork:prefix": PREFIX,
    "stackfork:logRetentionDays": "30",
    "stackfork:reaperSchedule": "rate(10 minutes)",
    "stackfork:workerMaxConcurrency": "3",
    "stackfork:githubAppId": "12345",
    "stackfork:githubOAuthClientId": "Iv1.platformsignin01",
    "stackfork:alarmEmail": "oncall@example.com",
    "stackfork:config": JSON.stringify({
      repositories: [{ name: "acme/shop" }, { name: "acme/Billing_API", ttlHours: 24 }],
    }),
  });
  const { default: program } = await import("./index.ts");
  outputs = await resolveOutput(pulumi.output(await program({ handlers: fixtureHandlers })));

  // A second platform from nothing but the region, in the same run: the documented defaults.
  pulumi.runtime.setAllConfig({ "aws:region": REGION });
  const { StackforkPlatform } = await import("./stackfork-platform.ts");
  const { readPlatformConfig } = await import("./stackfork-platform-config.ts");
  const defaults = new StackforkPlatform("defaults", readPlatformConfig(new pulumi.Config("stackfork")), {
    handlers: fixtureHandlers,
  });
  defaultsOutputs = await resolveOutput(
    pulumi.output({ webhookUrl: defaults.webhookUrl, secretsToFill: defaults.secretsToFill }),
  );
  // Every registration has reached the mocks once the runtime's pending calls are done.
  await pulumi.runtime.disconnect();
});

/** Resources of the first platform ("stackfork") or of the defaults one. */
function resourcesOf(type: string, platform: "stackfork" | "defaults" = "stackfork"): RegisteredResource[] {
  return registered.filter((r) => r.type === type && r.name.startsWith(`${platform}-`));
}

function named(type: string, name: string): RegisteredResource {
  const found = registered.filter((r) => r.type === type && r.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0] as RegisteredResource;
}

const fnType = "aws:lambda/function:Function";
const fn = (which: string) => named(fnType, `stackfork-${which}`);
const policyOf = (which: string, policyName = "platform") =>
  named("aws:iam/rolePolicy:RolePolicy", `stackfork-${which}-${policyName}`);
const statementsOf = (policy: RegisteredResource): Statement[] => JSON.parse(policy.inputs.policy).Statement;
const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesOfStatement = (statement: Statement) => [statement.Resource ?? []].flat();

/** Every IAM document anywhere in what the platform sent: role policies, trust policies, the bucket policy... */
function everyPolicyDocument(): { where: string; statements: Statement[] }[] {
  const documents: { where: string; statements: Statement[] }[] = [];
  const visit = (value: unknown, where: string) => {
    if (typeof value === "string" && value.includes('"Statement"')) {
      const parsed = JSON.parse(value);
      documents.push({ where, statements: [parsed.Statement].flat() });
    } else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) visit(child, `${where}.${key}`);
    }
  };
  for (const resource of registered) visit(resource.inputs, `${resource.type} ${resource.name}`);
  return documents;
}

describe("the platform program (Pulumi mocks)", () => {
  it("declares the whole platform once, and outputs the URLs, the secrets to fill and the alarm", () => {
    const counts: Record<string, number> = {};
    for (const r of registered.filter((r) => r.name.startsWith("stackfork-"))) {
      counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    expect(counts).toEqual({
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketObjectv2:BucketObjectv2": 1,
      "aws:dynamodb/table:Table": 2,
      "aws:sqs/queue:Queue": 2,
      "aws:secretsmanager/secret:Secret": 4,
      "aws:cloudwatch/logGroup:LogGroup": 4,
      "aws:iam/role:Role": 6,
      "aws:iam/rolePolicy:RolePolicy": 6,
      "aws:iam/policy:Policy": 2,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
      "aws:ecr/repository:Repository": 1,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
      "awsx:ecr:Image": 1,
      "aws:lambda/function:Function": 4,
      "aws:lambda/functionUrl:FunctionUrl": 2,
      "aws:lambda/permission:Permission": 4,
      "aws:lambda/eventSourceMapping:EventSourceMapping": 1,
      "aws:scheduler/schedule:Schedule": 1,
      "aws:sns/topic:Topic": 1,
      "aws:sns/topicSubscription:TopicSubscription": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 1,
    });
    expect(outputs.webhookUrl).toBe(`https://${PREFIX}-webhook-url-id.lambda-url.${REGION}.on.aws`);
    expect(outputs.dashboardUrl).toBe(`https://${PREFIX}-dashboard-url-id.lambda-url.${REGION}.on.aws`);
    const secretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PREFIX}/${name}-AbCdEf`;
    expect(outputs.secretsToFill).toEqual({
      GITHUB_WEBHOOK_SECRET_ARN: secretArn("github-webhook-secret"),
      STACKFORK_API_TOKEN_ARN: secretArn("api-token"),
      GITHUB_APP_PRIVATE_KEY_ARN: secretArn("github-app-private-key"),
      GITHUB_OAUTH_CLIENT_SECRET_ARN: secretArn("github-oauth-client-secret"),
    });
    expect(outputs.dlqAlarm).toBe(`${PREFIX}-wake-dlq-not-empty`);
    expect(outputs.stateUrl).toBe(`s3://${PREFIX}-state-20260101?region=${REGION}`);
    expect(outputs.secretsProvider).toBe(`awskms://alias/${PREFIX}?region=${REGION}`);
  });

  it("declares the tables of aws-resources.ts on demand, with point-in-time recovery and TTL", () => {
    const definitions = defineAwsResources(PREFIX);
    for (const [logical, definition] of [
      ["registry", definitions.registryTable],
      ["jobs", definitions.jobsTable],
    ] as const) {
      const table = named("aws:dynamodb/table:Table", `stackfork-${logical}`);
      expect(table.inputs).toMatchObject({
        name: definition.name,
        billingMode: "PAY_PER_REQUEST",
        hashKey: definition.hashKey,
        rangeKey: definition.rangeKey,
        attributes: definition.attributes,
        globalSecondaryIndexes: definition.globalSecondaryIndexes,
        pointInTimeRecovery: { enabled: true },
        ttl: { attributeName: "ttl", enabled: true },
      });
    }
  });

  it("declares the FIFO wake queue with bootstrap's attributes, a redrive to the DLQ and a visibility above the worker's timeout", () => {
    const definitions = defineAwsResources(PREFIX);
    const wake = named("aws:sqs/queue:Queue", "stackfork-wake");
    const deadLetter = named("aws:sqs/queue:Queue", "stackfork-wake-dlq");
    const asAttributes = (inputs: Properties) => ({
      FifoQueue: String(inputs.fifoQueue),
      ContentBasedDeduplication: String(inputs.contentBasedDeduplication),
      VisibilityTimeout: String(inputs.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(inputs.messageRetentionSeconds),
      ...(inputs.redrivePolicy && { RedrivePolicy: inputs.redrivePolicy }),
    });
    expect(asAttributes(wake.inputs)).toEqual(queueAttributes(definitions.wakeQueue, deadLetter.state.arn));
    expect(asAttributes(deadLetter.inputs)).toEqual(queueAttributes(definitions.deadLetterQueue));
    expect(wake.inputs).toMatchObject({ name: `${PREFIX}-wake.fifo`, fifoQueue: true, sqsManagedSseEnabled: true });
    expect(JSON.parse(wake.inputs.redrivePolicy)).toEqual({
      deadLetterTargetArn: deadLetter.state.arn,
      maxReceiveCount: definitions.wakeQueue.maxReceiveCount,
    });
    expect(fn("worker").inputs.timeout).toBe(WORKER_TIMEOUT_SECONDS);
    expect(wake.inputs.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(fn("worker").inputs.timeout);
  });

  it("alarms as soon as a message is visible in the dead-letter queue, to a topic the operator subscribes to", () => {
    const alarm = named("aws:cloudwatch/metricAlarm:MetricAlarm", "stackfork-wake-dlq-depth");
    const topic = named("aws:sns/topic:Topic", "stackfork-alarms");
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: `${PREFIX}-wake-dlq.fifo` },
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      alarmActions: [topic.state.arn],
    });
    expect(named("aws:sns/topicSubscription:TopicSubscription", "stackfork-alarms-email").inputs).toMatchObject({
      topic: topic.state.arn,
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  it("keeps the state bucket versioned, encrypted with the rotated key, private and TLS only", () => {
    const key = named("aws:kms/key:Key", "stackfork-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(named("aws:kms/alias:Alias", "stackfork-key-alias").inputs).toEqual(
      expect.objectContaining({ name: `alias/${PREFIX}`, targetKeyId: key.state.keyId }),
    );
    const bucket = named("aws:s3/bucket:Bucket", "stackfork-state");
    const bucketName = bucket.state.bucket;
    expect(bucketName).toMatch(/^[a-z0-9][a-z0-9.-]{2,62}$/);
    expect(named("aws:s3/bucketVersioning:BucketVersioning", "stackfork-state").inputs).toMatchObject({
      bucket: `${bucket.name}-id`,
      versioningConfiguration: { status: "Enabled" },
    });
    // Uploaded trees expire; replaced state versions too, after long enough to bring one back.
    expect(
      named("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "stackfork-state").inputs.rules,
    ).toEqual([
      expect.objectContaining({ filter: { prefix: "uploads/" }, expiration: { days: 30 }, status: "Enabled" }),
      expect.objectContaining({ noncurrentVersionExpiration: { noncurrentDays: 90 }, status: "Enabled" }),
    ]);
    const encryption = named(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "stackfork-state",
    );
    expect(encryption.inputs.rules).toEqual([
      expect.objectContaining({
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state.arn },
      }),
    ]);
    expect(named("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "stackfork-state").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const [statement, ...others] = statementsOf(named("aws:s3/bucketPolicy:BucketPolicy", "stackfork-state"));
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("creates the secrets empty: no version, so no value in the program or its state", () => {
    expect(registered.filter((r) => r.type.startsWith("aws:secretsmanager/secretVersion"))).toEqual([]);
    const names = resourcesOf("aws:secretsmanager/secret:Secret").map((s) => s.inputs.name);
    expect(names.sort()).toEqual([
      `${PREFIX}/api-token`,
      `${PREFIX}/github-app-private-key`,
      `${PREFIX}/github-oauth-client-secret`,
      `${PREFIX}/github-webhook-secret`,
    ]);
    for (const secret of resourcesOf("aws:secretsmanager/secret:Secret")) {
      expect(Object.keys(secret.inputs)).not.toContain("secretString");
    }
  });

  it("bundles the webhook, dashboard and reaper as ESM zips and runs the worker from the image", async () => {
    for (const which of ["webhook", "dashboard", "reaper"]) {
      const f = fn(which);
      expect(f.inputs).toMatchObject({
        name: `${PREFIX}-${which}`,
        runtime: "nodejs22.x",
        handler: "index.handler",
        role: named("aws:iam/role:Role", `stackfork-${which}-role`).state.arn,
      });
      // Assets arrive as the SDK's own objects, their contents as promises.
      const assets = await f.inputs.code.assets;
      expect(Object.keys(assets)).toEqual(["index.mjs"]);
      expect(await assets["index.mjs"].text).toMatch(/statusCode:\s*204/);
    }
    expect(fn("webhook").inputs.timeout).toBeLessThanOrEqual(10); // GitHub gives up after 10 s
    const image = named("awsx:ecr:Image", "stackfork-worker");
    const repository = named("aws:ecr/repository:Repository", "stackfork-worker");
    expect(image.inputs).toMatchObject({
      repositoryUrl: repository.state.repositoryUrl,
      dockerfile: fileURLToPath(new URL("./worker.Dockerfile", import.meta.url)),
      context: fileURLToPath(new URL("..", import.meta.url)),
      platform: "linux/amd64",
      args: {
        PULUMI_VERSION: packageJson.dependencies["@pulumi/pulumi"],
        PULUMI_AWS_VERSION: packageJson.dependencies["@pulumi/aws"],
      },
    });
    expect(fn("worker").inputs).toMatchObject({
      name: `${PREFIX}-worker`,
      packageType: "Image",
      imageUri: image.state.imageUri,
      imageConfig: { commands: ["platform/worker-handler.handler"] },
      architectures: ["x86_64"],
      timeout: WORKER_TIMEOUT_SECONDS,
    });
    expect(fn("worker").inputs.runtime).toBeUndefined();
  });

  it("writes each function's logs to /aws/lambda/<name> with the configured retention", () => {
    for (const which of ["webhook", "dashboard", "worker", "reaper"]) {
      const logGroup = named("aws:cloudwatch/logGroup:LogGroup", `stackfork-${which}-logs`);
      expect(logGroup.inputs).toMatchObject({ name: `/aws/lambda/${PREFIX}-${which}`, retentionInDays: 30 });
      expect(fn(which).inputs.loggingConfig.logGroup).toBe(logGroup.inputs.name);
    }
  });

  it("configures every function by the contract's variables, each with only the secrets it reads", () => {
    const secretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PREFIX}/${name}-AbCdEf`;
    const common = {
      STACKFORK_STORE: "aws",
      STACKFORK_AWS_PREFIX: PREFIX,
      STACKFORK_STATE_URL: `s3://${PREFIX}-state-20260101?region=${REGION}`,
      STACKFORK_SECRETS_PROVIDER: `awskms://alias/${PREFIX}?region=${REGION}`,
      STACKFORK_DATA_DIR: "/tmp/stackfork",
      STACKFORK_CONFIG_JSON: JSON.stringify({
        repositories: [
          { target: "aws", name: "acme/shop" },
          { target: "aws", name: "acme/Billing_API", ttlHours: 24 },
        ],
      }),
      GITHUB_APP_ID: "12345",
      GITHUB_APP_PRIVATE_KEY_ARN: secretArn("github-app-private-key"),
    };
    const variables = (which: string) => fn(which).inputs.environment.variables;
    expect(variables("webhook")).toEqual({ ...common, GITHUB_WEBHOOK_SECRET_ARN: secretArn("github-webhook-secret") });
    // Sign-in with GitHub: its client id, and its secret to the dashboard alone.
    expect(variables("dashboard")).toEqual({
      ...common,
      STACKFORK_API_TOKEN_ARN: secretArn("api-token"),
      GITHUB_OAUTH_CLIENT_ID: "Iv1.platformsignin01",
      GITHUB_OAUTH_CLIENT_SECRET_ARN: secretArn("github-oauth-client-secret"),
    });
    expect(variables("worker")).toEqual({
      ...common,
      STACKFORK_DEPLOYER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-deployer`,
      STACKFORK_PERMISSIONS_BOUNDARY_ARN: `arn:aws:iam::${ACCOUNT}:policy/${PREFIX}-copy-boundary`,
    });
    expect(variables("reaper")).toEqual(common);
    for (const which of ["webhook", "dashboard", "worker", "reaper"]) {
      // Lambda's limit: 4 KB of variables, names and values together.
      const size = Object.entries(variables(which)).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
      expect(size).toBeLessThan(4096);
    }
  });

  it("lets the dashboard alone read the sign-in client's secret", async () => {
    const readable = async (which: string) => {
      const statements = statementsOf(policyOf(which));
      const read = statements.find((statement) => statement.Sid === "ReadSecrets") as Statement;
      return resourcesOfStatement(read).map((arn) => arn.split(":secret:")[1]);
    };
    expect(await readable("dashboard")).toContain(`${PREFIX}/github-oauth-client-secret-AbCdEf`);
    for (const which of ["webhook", "worker", "reaper"]) {
      expect(await readable(which)).not.toContain(`${PREFIX}/github-oauth-client-secret-AbCdEf`);
    }
  });

  it("feeds the worker one wake at a time with per-message failures and a concurrency cap", () => {
    const mapping = resourcesOf("aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(mapping).toHaveLength(1);
    expect(mapping[0]?.inputs).toMatchObject({
      eventSourceArn: named("aws:sqs/queue:Queue", "stackfork-wake").state.arn,
      functionName: fn("worker").state.arn,
      batchSize: 1,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: 3 },
    });
  });

  it("invokes the reaper on the configured schedule through a role that may invoke only the reaper", () => {
    const schedule = named("aws:scheduler/schedule:Schedule", "stackfork-reaper");
    const role = named("aws:iam/role:Role", "stackfork-reaper-schedule-role");
    expect(schedule.inputs).toMatchObject({
      scheduleExpression: "rate(10 minutes)",
      flexibleTimeWindow: { mode: "OFF" },
      target: { arn: fn("reaper").state.arn, roleArn: role.state.arn },
    });
    const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement;
    expect(trust).toEqual([
      expect.objectContaining({
        Principal: { Service: "scheduler.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
    ]);
    expect(statementsOf(named("aws:iam/rolePolicy:RolePolicy", "stackfork-reaper-schedule-invoke"))).toEqual([
      { Sid: "InvokeReaper", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [fn("reaper").state.arn] },
    ]);
  });

  it("opens public Function URLs for the webhook and the dashboard only, with both permissions AWS asks for", () => {
    const urls = resourcesOf("aws:lambda/functionUrl:FunctionUrl");
    expect(urls.map((u) => u.inputs.functionName).sort()).toEqual([`${PREFIX}-dashboard`, `${PREFIX}-webhook`]);
    for (const url of urls) expect(url.inputs.authorizationType).toBe("NONE");
    for (const which of ["webhook", "dashboard"]) {
      expect(named("aws:lambda/permission:Permission", `stackfork-${which}-invoke-url`).inputs).toMatchObject({
        function: `${PREFIX}-${which}`,
        action: "lambda:InvokeFunctionUrl",
        principal: "*",
        functionUrlAuthType: "NONE",
      });
      expect(named("aws:lambda/permission:Permission", `stackfork-${which}-invoke`).inputs).toMatchObject({
        function: `${PREFIX}-${which}`,
        action: "lambda:InvokeFunction",
        invokedViaFunctionUrl: true,
      });
    }
  });
});

describe("the platform's rights (least privilege)", () => {
  it("grants no wildcard action in any policy document, and no resource `*` but three reads: wildcards only deny", () => {
    const documents = everyPolicyDocument();
    // 6 role policies, 6 trust policies, the bucket policy, the copies' boundary and the deployer's
    // CloudFormation policy, for the first platform; the defaults one has its own.
    expect(documents.filter((d) => d.where.includes(" stackfork-"))).toHaveLength(15);
    const wildcards: string[] = [];
    for (const { where, statements } of documents) {
      for (const statement of statements) {
        for (const action of actionsOf(statement)) {
          if (!action.includes("*")) continue;
          wildcards.push(action);
          expect({ where, action, effect: statement.Effect }).toEqual({ where, action, effect: "Deny" });
        }
        if (statement.Effect === "Allow" && resourcesOfStatement(statement).includes("*")) {
          // Reads that IAM authorizes on `*` only: tags, and log group names (aws/deployer-copy-statements.ts);
          // and any stack's description, for production's parameters (aws/deployer-cloudformation-statements.ts).
          // And what environments cost: metrics, and Cost Explorer's figures (platform/stackfork-platform-policies.ts).
          const reads = [
            "tag:GetResources",
            "logs:DescribeLogGroups",
            "cloudformation:DescribeStacks",
            "cloudwatch:GetMetricData",
            "cloudwatch:ListMetrics",
            "ce:GetCostAndUsage",
          ];
          expect(actionsOf(statement).filter((a) => !reads.includes(a))).toEqual([]);
        }
      }
    }
    // The check above is not vacuous: the bucket's TLS rule and the deployer's guardrails are wildcard denies.
    expect(wildcards).toContain("s3:*");
    expect(wildcards).toContain("iam:*");
  });

  it("gives each function a role of its own", () => {
    const roleArns = ["webhook", "dashboard", "worker", "reaper"].map((which) => fn(which).inputs.role);
    expect(new Set(roleArns).size).toBe(4);
    for (const which of ["webhook", "dashboard", "worker", "reaper"]) {
      const role = named("aws:iam/role:Role", `stackfork-${which}-role`);
      expect(role.inputs.name).toBe(`${PREFIX}-${which}-role`);
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      expect(policyOf(which).inputs.role).toBe(role.inputs.name);
    }
  });

  it("lets the webhook make only intake's item calls, send wakes, write its logs and read its secrets", async () => {
    const tableArns = ["registry", "jobs"].map((t) => named("aws:dynamodb/table:Table", `stackfork-${t}`).state.arn);
    const wakeArn = named("aws:sqs/queue:Queue", "stackfork-wake").state.arn;
    const statements = statementsOf(policyOf("webhook"));
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(["OwnLogs", "ReadSecrets", "SendWakes", "TableItems"]);
    expect(resourcesOfStatement(bySid.TableItems as Statement).sort()).toEqual(
      tableArns.flatMap((arn) => [arn, `${arn}/index/*`]).sort(),
    );
    expect(bySid.SendWakes).toMatchObject({
      Action: ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
      Resource: [wakeArn],
    });
    expect(bySid.OwnLogs?.Resource).toEqual([
      `${named("aws:cloudwatch/logGroup:LogGroup", "stackfork-webhook-logs").state.arn}:*`,
    ]);
    expect(bySid.ReadSecrets).toMatchObject({ Action: ["secretsmanager:GetSecretValue"] });
    expect(resourcesOfStatement(bySid.ReadSecrets as Statement).map((arn) => arn.split(":secret:")[1])).toEqual([
      `${PREFIX}/github-webhook-secret-AbCdEf`,
      `${PREFIX}/github-app-private-key-AbCdEf`,
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/s3:|kms:|iam:|lambda:|sts:/);

    const webhook = (action: string, resource: string) =>
      simulateIamRequest(
        { identity: [JSON.parse(policyOf("webhook").inputs.policy)] },
        { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${PREFIX}-webhook-role/fn`, action, resource },
      );
    for (const table of tableArns) {
      for (const action of ["GetItem", "Query", "PutItem", "UpdateItem"]) {
        expect(await webhook(`dynamodb:${action}`, table), action).toBe("Allowed");
      }
      for (const action of ["Scan", "DeleteItem", "BatchWriteItem", "BatchGetItem"]) {
        expect(await webhook(`dynamodb:${action}`, table), action).toBe("ImplicitlyDenied");
      }
    }
  });

  it("lets the dashboard and the reaper send wakes and list the state bucket, never read or change state objects", () => {
    const bucketArn = named("aws:s3/bucket:Bucket", "stackfork-state").state.arn;
    for (const which of ["dashboard", "reaper"]) {
      const statements = statementsOf(policyOf(which));
      const actions = statements.flatMap(actionsOf);
      expect(actions).toContain("sqs:SendMessage");
      expect(statements.find((s) => s.Sid === "ListState")).toEqual({
        Sid: "ListState",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucketArn],
      });
      expect(actions).not.toContain("s3:GetObject");
      expect(actions).not.toContain("s3:DeleteObject");
      expect(actions).not.toContain("sqs:ReceiveMessage");
      expect(actions).not.toContain("kms:Decrypt");
      expect(actions).not.toContain("sts:AssumeRole");
      // Cloud orphans: tags read, never a resource.
      expect(statements.find((s) => s.Sid === "FindTaggedResources")).toEqual({
        Sid: "FindTaggedResources",
        Effect: "Allow",
        Action: ["tag:GetResources"],
        Resource: ["*"],
      });
    }
    // Presigned uploads of working trees: PUT under uploads/ only.
    expect(statementsOf(policyOf("dashboard")).find((s) => s.Sid === "PutUploads")?.Resource).toEqual([
      `${bucketArn}/uploads/*`,
    ]);
  });

  it("creates the deployer role and the copies' boundary from aws/deployer-access.ts, trusting the worker alone", () => {
    const bucket = named("aws:s3/bucket:Bucket", "stackfork-state").state;
    const access = defineDeployerAccess(
      {
        partition: "aws",
        region: REGION,
        account: ACCOUNT,
        prefix: PREFIX,
        stateBucket: bucket.bucket,
        kmsKeyArn: named("aws:kms/key:Key", "stackfork-key").state.arn,
      },
      [named("aws:iam/role:Role", "stackfork-worker-role").state.arn],
    );
    const deployer = named("aws:iam/role:Role", "stackfork-deployer");
    expect(deployer.inputs.name).toBe(`${PREFIX}-deployer`);
    expect(deployer.state.arn).toBe(deployerRoleArnOf(ACCOUNT, PREFIX));
    expect(JSON.parse(deployer.inputs.assumeRolePolicy)).toEqual(access.trust);
    const inline = named("aws:iam/rolePolicy:RolePolicy", "stackfork-deployer-access");
    expect(inline.inputs).toMatchObject({ name: DEPLOYER_POLICY_NAME, role: `${PREFIX}-deployer` });
    expect(JSON.parse(inline.inputs.policy)).toEqual(access.policy);
    const boundary = named("aws:iam/policy:Policy", "stackfork-copy-boundary");
    expect(boundary.inputs.name).toBe(`${PREFIX}-copy-boundary`);
    expect(boundary.state.arn).toBe(copyBoundaryArnOf(ACCOUNT, PREFIX));
    expect(JSON.parse(boundary.inputs.policy)).toEqual(access.boundary);
    // A deployer session reads the layout file, never writes it: it is in the bucket from the start.
    expect(named("aws:s3/bucketObjectv2:BucketObjectv2", "stackfork-state-layout").inputs).toMatchObject({
      bucket: "stackfork-state-id",
      key: ".pulumi/meta.yaml",
      content: "version: 1\n",
    });
  });

  it("creates the deployer's CloudFormation policy from the same definition and attaches it to the deployer role", () => {
    const access = defineDeployerAccess(
      {
        partition: "aws",
        region: REGION,
        account: ACCOUNT,
        prefix: PREFIX,
        stateBucket: named("aws:s3/bucket:Bucket", "stackfork-state").state.bucket,
        kmsKeyArn: named("aws:kms/key:Key", "stackfork-key").state.arn,
      },
      [named("aws:iam/role:Role", "stackfork-worker-role").state.arn],
    );
    const policy = named("aws:iam/policy:Policy", "stackfork-deployer-cloudformation");
    expect(policy.inputs.name).toBe(`${PREFIX}-deployer-cloudformation`);
    expect(policy.state.arn).toBe(access.cloudFormationPolicyArn);
    expect(JSON.parse(policy.inputs.policy)).toEqual(access.cloudFormationPolicy);
    // The platform's state is on S3: the artifacts are under the state bucket's artifacts/.
    const bucket = named("aws:s3/bucket:Bucket", "stackfork-state").state.bucket;
    expect(policy.inputs.policy).toContain(`arn:aws:s3:::${bucket}/artifacts/`);
    const attachment = named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "stackfork-deployer-cloudformation");
    expect(attachment.inputs).toEqual({ role: `${PREFIX}-deployer`, policyArn: access.cloudFormationPolicyArn });
  });

  it("lets the worker deploy nothing itself: it assumes the deployer with an environment's tags, reads uploads only", async () => {
    const bucketArn = named("aws:s3/bucket:Bucket", "stackfork-state").state.arn;
    const keyArn = named("aws:kms/key:Key", "stackfork-key").state.arn;
    const deployerArn = named("aws:iam/role:Role", "stackfork-deployer").state.arn;
    const platform: Record<string, Statement> = Object.fromEntries(
      statementsOf(policyOf("worker")).map((s) => [s.Sid, s]),
    );
    expect(Object.keys(platform).sort()).toEqual([
      "AssumeDeployer",
      "ListState",
      "OwnLogs",
      "ReadSecrets",
      "ReadUploads",
      "ReceiveWakes",
      "SendWakes",
      "TableItems",
      "UseKeyThroughS3",
    ]);
    expect(platform.AssumeDeployer).toEqual({
      Sid: "AssumeDeployer",
      Effect: "Allow",
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Resource: [deployerArn],
    });
    expect(platform.UseKeyThroughS3).toEqual({
      Sid: "UseKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [keyArn],
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucketArn },
      },
    });
    const actions = Object.values(platform).flatMap(actionsOf);
    const deploying = /^(iam|lambda|apigateway):|^logs:(Create|Delete)LogGroup$|^dynamodb:(Create|Delete|Update)Table$/;
    expect(actions.filter((a) => deploying.test(a))).toEqual([]);
    expect(resourcesOf("aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.name)).not.toContain("deploy-copies");

    const workerPolicy = JSON.parse(policyOf("worker").inputs.policy);
    const worker = (action: string, resource: string) =>
      simulateIamRequest(
        { identity: [workerPolicy] },
        { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${PREFIX}-worker-role/fn`, action, resource },
      );
    expect(await worker("s3:GetObject", `${bucketArn}/uploads/0123456789abcdef.tar.gz`)).toBe("Allowed");
    expect(await worker("s3:GetObject", `${bucketArn}/.pulumi/stacks/acme-shop/shop-main.json`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await worker("s3:PutObject", `${bucketArn}/.pulumi/stacks/acme-shop/shop-main.json`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await worker("dynamodb:CreateTable", `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/shop-main-items`)).toBe(
      "ImplicitlyDenied",
    );

    // Both sides of sts:AssumeRole: the worker's policy and the deployer's trust.
    const trust = JSON.parse(named("aws:iam/role:Role", "stackfork-deployer").inputs.assumeRolePolicy);
    const assume = (role: string, tags: Record<string, string>) =>
      simulateIamRequest(
        { identity: [JSON.parse(policyOf(role).inputs.policy)], resourcePolicy: trust },
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${PREFIX}-${role}-role/fn`,
          action: "sts:AssumeRole",
          resource: deployerArn,
          context: {
            ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
            "aws:TagKeys": Object.keys(tags),
          },
        },
      );
    const job = { environment: "shop-main", project: "acme-shop", repository: "acme/shop" };
    expect(await assume("worker", job)).toBe("Allowed");
    expect(await assume("worker", { project: job.project, repository: job.repository })).toBe("ImplicitlyDenied");
    expect(await assume("dashboard", job)).toBe("ImplicitlyDenied");
  });
});

describe("the platform with only aws:region set", () => {
  it("deploys with the documented defaults, a GitHub token secret, and the deployer role of its prefix", () => {
    const fns = resourcesOf(fnType, "defaults");
    expect(fns.map((f) => f.inputs.name).sort()).toEqual([
      "stackfork-dashboard",
      "stackfork-reaper",
      "stackfork-webhook",
      "stackfork-worker",
    ]);
    for (const f of fns) {
      expect(f.inputs.environment.variables).toMatchObject({
        STACKFORK_AWS_PREFIX: "stackfork",
        STACKFORK_CONFIG_JSON: '{"repositories":[]}',
      });
      expect(f.inputs.environment.variables.GITHUB_TOKEN_ARN).toMatch(/:secret:stackfork\/github-token-/);
    }
    for (const logGroup of resourcesOf("aws:cloudwatch/logGroup:LogGroup", "defaults")) {
      expect(logGroup.inputs.retentionInDays).toBe(14);
    }
    expect(named("aws:scheduler/schedule:Schedule", "defaults-reaper").inputs.scheduleExpression).toBe(
      "rate(5 minutes)",
    );
    expect(
      named("aws:lambda/eventSourceMapping:EventSourceMapping", "defaults-wake-worker").inputs.scalingConfig,
    ).toEqual({ maximumConcurrency: 5 });
    expect(named("aws:iam/role:Role", "defaults-deployer").inputs.name).toBe("stackfork-deployer");
    expect(named("aws:iam/policy:Policy", "defaults-copy-boundary").inputs.name).toBe("stackfork-copy-boundary");
    expect(resourcesOf("aws:sns/topicSubscription:TopicSubscription", "defaults")).toEqual([]);
    expect(named("aws:kms/alias:Alias", "defaults-key-alias").inputs.name).toBe("alias/stackfork");
    expect(Object.keys(defaultsOutputs.secretsToFill).sort()).toEqual([
      "GITHUB_TOKEN_ARN",
      "GITHUB_WEBHOOK_SECRET_ARN",
      "STACKFORK_API_TOKEN_ARN",
    ]);
    expect(defaultsOutputs.webhookUrl).toMatch(/^https:\/\/stackfork-webhook-/);
  });
});

describe("copy name prefixes", () => {
  it("are what every environment name of the repository starts with", () => {
    const branches = ["main-2", "feature/a_b", "Ünïcödé", "🚀", "x".repeat(200), "pr-7", "sb-me"];
    for (const repository of ["acme/shop", "acme/Billing_API", `acme/${"very-long-name-".repeat(4)}`, "acme/a"]) {
      for (const maxLength of [16, 24, 40]) {
        const prefix = copyNamePrefix(repository, maxLength);
        const names = [
          ...branches.map((branch) => nameEnvironment({ kind: "branch", repository, branch }, { maxLength })),
          nameEnvironment({ kind: "pull_request", repository, pullRequest: 12345, branch: "fork/x" }, { maxLength }),
          nameEnvironment(
            { kind: "sandbox", repository, owner: "Octo_Cat", branch: "sandbox/Octo_Cat" },
            { maxLength },
          ),
        ];
        for (const name of names) expect(name.startsWith(prefix), `${name} / ${prefix}`).toBe(true);
      }
    }
  });
});

// Each zip function bundles into index.mjs and the chunks it loads lazily; written out where no
// node_modules is in reach, it imports: nothing it loads on a cold start is left out of the zip.
describe.each(["webhook", "dashboard", "reaper"])("the %s handler", (which) => {
  const entry = fileURLToPath(new URL(`./${which}-handler.ts`, import.meta.url));
  it("bundles into index.mjs and chunks, and the bundle imports on its own, exporting handler", async () => {
    const archive = await bundlePlatformHandler(entry);
    const assets = (await archive.assets) as Record<string, pulumi.asset.StringAsset>;
    expect(Object.keys(assets)).toContain("index.mjs");
    expect(Object.keys(assets).every((name) => name === "index.mjs" || name.startsWith("chunks/"))).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), `stackfork-bundle-${which}-`));
    try {
      for (const [name, asset] of Object.entries(assets)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), await (asset as unknown as { text: Promise<string> }).text);
      }
      const module = (await import(pathToFileURL(path.join(dir, "index.mjs")).href)) as { handler?: unknown };
      expect(typeof module.handler).toBe("function");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
