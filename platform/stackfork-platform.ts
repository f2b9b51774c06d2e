import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import {
  type AwsResources,
  defineAwsResources,
  type QueueDefinition,
  type TableDefinition,
  WORKER_TIMEOUT_SECONDS,
} from "../aws/aws-resources.ts";
import { queueAttributes } from "../aws/bootstrap-aws-resources.ts";
import { type DeployerAccess, defineDeployerAccess } from "../aws/deployer-access.ts";
import { DEPLOYER_POLICY_NAME, deployerNames } from "../aws/deployer-names.ts";
import { bundlePlatformHandler, PLATFORM_BUNDLED_HANDLER } from "./stackfork-platform-bundle.ts";
import type { PlatformConfig } from "./stackfork-platform-config.ts";
import {
  assumeDeployer,
  assumedByService,
  findTaggedResources,
  INTAKE_ITEM_ACTIONS,
  listState,
  ownLogs,
  type PolicyStatement,
  policyDocument,
  putUploads,
  readSecrets,
  readUploads,
  receiveWakes,
  sendWakes,
  tableItems,
  useKeyThroughS3,
} from "./stackfork-platform-policies.ts";

const require = createRequire(import.meta.url);

/** Days an uploaded working tree stays in the state bucket. */
const UPLOAD_DAYS = 30;
/** Days a replaced version of a state object stays (the bucket is versioned). */
const REPLACED_STATE_DAYS = 90;

/** The zip functions' entry points (DESIGN.md, "External contract"), each exporting `handler`. */
export const PLATFORM_HANDLERS = {
  webhook: fileURLToPath(new URL("./webhook-handler.ts", import.meta.url)),
  dashboard: fileURLToPath(new URL("./dashboard-handler.ts", import.meta.url)),
  reaper: fileURLToPath(new URL("./reaper-handler.ts", import.meta.url)),
};

/** The worker image's handler setting: platform/worker-handler.ts's `handler` (see worker.Dockerfile). */
export const WORKER_IMAGE_HANDLER = "platform/worker-handler.handler";

export interface StackforkPlatformOptions extends pulumi.ComponentResourceOptions {
  /** Other entry points for the zip functions (tests). @default PLATFORM_HANDLERS */
  handlers?: Partial<typeof PLATFORM_HANDLERS>;
}

type ZipFunction = "webhook" | "dashboard" | "reaper";
type FunctionName = ZipFunction | "worker";

/** The deployer role the worker assumes per job, and the boundary of every role a copy creates. */
interface CopyAccess {
  deployer: aws.iam.Role;
  boundary: aws.iam.Policy;
  deployerPolicy: aws.iam.RolePolicy;
}

interface Secrets {
  webhookSecret: aws.secretsmanager.Secret;
  apiToken: aws.secretsmanager.Secret;
  /** The App's private key (PEM) with `stackfork:githubAppId`, else a token. */
  github: aws.secretsmanager.Secret;
}

/**
 * stackfork on AWS (DESIGN.md, "AWS mode in detail"): the webhook and dashboard behind Function
 * URLs, the worker fed by the SQS FIFO wake queue, the reaper on a schedule; the registry and jobs
 * in DynamoDB, the environments' Pulumi state in S3 with awskms:// secrets; one role per function.
 * Costs nothing but storage while no event arrives.
 */
export class StackforkPlatform extends pulumi.ComponentResource {
  readonly webhookUrl: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
  /** Secrets Manager ARNs the operator fills (they are created empty). */
  readonly secretsToFill: pulumi.Output<Record<string, string>>;
  readonly dlqAlarmName: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly stateUrl: pulumi.Output<string>;
  readonly secretsProvider: pulumi.Output<string>;
  readonly workerImageUri: pulumi.Output<string>;
  /** STACKFORK_DEPLOYER_ROLE_ARN of the worker. */
  readonly deployerRoleArn: pulumi.Output<string>;
  /** STACKFORK_PERMISSIONS_BOUNDARY_ARN of the worker: `stackfork:permissionsBoundary` of the copies' stacks. */
  readonly permissionsBoundaryArn: pulumi.Output<string>;

  private readonly settings: PlatformConfig;
  private readonly resources: AwsResources;
  private readonly handlers: typeof PLATFORM_HANDLERS;
  private readonly partition: pulumi.Output<string>;
  private readonly region: pulumi.Output<string>;
  private readonly account: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    settings: PlatformConfig,
    options: StackforkPlatformOptions = {},
  ) {
    const { handlers, ...componentOptions } = options;
    super("stackfork:platform:StackforkPlatform", name, {}, componentOptions);
    this.settings = settings;
    this.resources = defineAwsResources(settings.prefix);
    this.handlers = { ...PLATFORM_HANDLERS, ...handlers };
    this.partition = aws.getPartitionOutput({}, { parent: this }).partition;
    this.region = aws.getRegionOutput({}, { parent: this }).region;
    this.account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const key = this.createKey();
    const bucket = this.createStateBucket(key);
    const tables = this.createTables();
    const queues = this.createQueues();
    const secrets = this.createSecrets();
    const logGroups = this.createLogGroups();
    const roles = this.createRoles();
    const stateUrl = pulumi.interpolate`s3://${bucket.bucket}?region=${this.region}`;
    const secretsProvider = pulumi.interpolate`awskms://${key.alias.name}?region=${this.region}`;
    const copyAccess = this.createCopyAccess({ worker: roles.worker, key, bucket });
    const policies = this.createPolicies({ roles, key, bucket, tables, queues, secrets, logGroups, copyAccess });
    const environment = this.describeEnvironment({ stateUrl, secretsProvider, secrets, copyAccess });
    const image = this.createWorkerImage();
    const functions = this.createFunctions({ roles, policies, logGroups, environment, image });
    const urls = this.createFunctionUrls(functions);
    this.createEventSourceMapping(functions.worker, queues.wake, policies.worker);
    this.createSchedule(functions.reaper);
    const { alarm, topic } = this.createAlarm(queues.deadLetter);

    this.webhookUrl = urls.webhook;
    this.dashboardUrl = urls.dashboard;
    this.secretsToFill = pulumi.output({
      [this.githubSecretEnv()]: secrets.github.arn,
      GITHUB_WEBHOOK_SECRET_ARN: secrets.webhookSecret.arn,
      STACKFORK_API_TOKEN_ARN: secrets.apiToken.arn,
    });
    this.dlqAlarmName = alarm.name;
    this.alarmTopicArn = topic.arn;
    this.stateUrl = stateUrl;
    this.secretsProvider = secretsProvider;
    this.workerImageUri = image.imageUri;
    this.deployerRoleArn = copyAccess.deployer.arn;
    this.permissionsBoundaryArn = copyAccess.boundary.arn;
    this.registerOutputs({
      webhookUrl: this.webhookUrl,
      dashboardUrl: this.dashboardUrl,
      secretsToFill: this.secretsToFill,
      dlqAlarmName: this.dlqAlarmName,
    });
  }

  /**
   * `<prefix>-<suffix>`. The prefix is at most 40 characters (aws-resources.ts) and the suffixes of
   * names limited to 64 (Lambda functions, IAM roles, schedules) at most 14, so they fit.
   */
  private physicalName(suffix: string): string {
    return `${this.settings.prefix}-${suffix}`;
  }

  private opts(extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { parent: this, ...extra };
  }

  /** Encrypts the state bucket's objects and, as the awskms:// secrets provider, the stacks' secrets. */
  private createKey() {
    const key = new aws.kms.Key(
      `${this.name}-key`,
      {
        description: `stackfork (${this.settings.prefix}): Pulumi state and secrets of the environments' stacks`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      this.opts(),
    );
    const alias = new aws.kms.Alias(
      `${this.name}-key-alias`,
      { name: `alias/${this.settings.prefix}`, targetKeyId: key.keyId },
      this.opts(),
    );
    return { key, alias };
  }

  /** Pulumi's DIY backend: versioned (a bad write can be brought back), KMS-encrypted, private, TLS only. */
  private createStateBucket({ key }: { key: aws.kms.Key }) {
    // Bucket names are global and lowercase: a unique name from the prefix (at most 37 characters).
    const bucketPrefix = `${this.settings.prefix.toLowerCase().replace(/_/g, "-").slice(0, 30)}-state-`;
    const bucket = new aws.s3.Bucket(`${this.name}-state`, { bucketPrefix }, this.opts());
    new aws.s3.BucketVersioning(
      `${this.name}-state`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      this.opts(),
    );
    // Uploaded working trees (`uploads/`) are kept 30 days: a sandbox redeployed later is uploaded
    // again. Replaced versions of the state are kept 90 days: long enough to bring a state back.
    new aws.s3.BucketLifecycleConfiguration(
      `${this.name}-state`,
      {
        bucket: bucket.id,
        rules: [
          { id: "uploads", status: "Enabled", filter: { prefix: "uploads/" }, expiration: { days: UPLOAD_DAYS } },
          {
            id: "replaced-state-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: REPLACED_STATE_DAYS },
          },
        ],
      },
      this.opts(),
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${this.name}-state`,
      {
        bucket: bucket.id,
        // A bucket key: one KMS request per object and period, not per request.
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      this.opts(),
    );
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${this.name}-state`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      this.opts(),
    );
    new aws.s3.BucketPolicy(
      `${this.name}-state`,
      {
        bucket: bucket.id,
        policy: policyDocument([
          {
            // A deny over every S3 action: a wildcard that takes rights away, never one that grants them.
            Sid: "DenyWithoutTls",
            Effect: "Deny",
            Principal: "*",
            Action: ["s3:*"],
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
      },
      // S3 refuses a bucket policy while the public access block is being put in place.
      this.opts({ dependsOn: [publicAccessBlock] }),
    );
    // Pulumi's DIY backend writes this when missing, but a deployer session may only read it
    // (aws/ensure-pulumi-state-layout.ts says why): the project-scoped layout, written up front.
    new aws.s3.BucketObjectv2(
      `${this.name}-state-layout`,
      { bucket: bucket.id, key: ".pulumi/meta.yaml", content: "version: 1\n", contentType: "text/yaml" },
      this.opts(),
    );
    return bucket;
  }

  /** From aws-resources.ts, as `stackfork aws bootstrap` creates them: on demand, point-in-time recovery, TTL. */
  private createTables() {
    const table = (logicalName: string, definition: TableDefinition) =>
      new aws.dynamodb.Table(
        `${this.name}-${logicalName}`,
        {
          name: definition.name,
          billingMode: "PAY_PER_REQUEST", // nothing billed but storage while idle
          hashKey: definition.hashKey,
          rangeKey: definition.rangeKey,
          attributes: definition.attributes,
          globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
            name: index.name,
            hashKey: index.hashKey,
            rangeKey: index.rangeKey,
            projectionType: index.projectionType,
          })),
          pointInTimeRecovery: { enabled: true },
          ...(definition.ttlAttribute && { ttl: { attributeName: definition.ttlAttribute, enabled: true } }),
        },
        this.opts(),
      );
    return {
      registry: table("registry", this.resources.registryTable),
      jobs: table("jobs", this.resources.jobsTable),
    };
  }

  /** The FIFO wake queue and its dead-letter queue, with the attributes bootstrap gives them (queueAttributes). */
  private createQueues() {
    const deadLetter = new aws.sqs.Queue(
      `${this.name}-wake-dlq`,
      queueArgs(this.resources.deadLetterQueue),
      this.opts(),
    );
    const wake = new aws.sqs.Queue(
      `${this.name}-wake`,
      queueArgs(this.resources.wakeQueue, deadLetter.arn),
      this.opts(),
    );
    return { wake, deadLetter };
  }

  /**
   * Created empty, for the operator to fill (`aws secretsmanager put-secret-value`): a value in the
   * program would sit in its state. The AWS managed key encrypts them: free, and no grant to manage.
   */
  private createSecrets(): Secrets {
    const secret = (suffix: string, description: string) =>
      new aws.secretsmanager.Secret(
        `${this.name}-${suffix}`,
        { name: `${this.settings.prefix}/${suffix}`, description, recoveryWindowInDays: 7 },
        this.opts(),
      );
    return {
      webhookSecret: secret("github-webhook-secret", "The GitHub App's webhook secret (X-Hub-Signature-256)."),
      apiToken: secret("api-token", "Bearer token of stackfork's API and dashboard login."),
      github: this.settings.githubAppId
        ? secret("github-app-private-key", `The private key (PEM) of GitHub App ${this.settings.githubAppId}.`)
        : secret("github-token", "A GitHub token stackfork acts with (no stackfork:githubAppId is set)."),
    };
  }

  private githubSecretEnv(): string {
    return this.settings.githubAppId ? "GITHUB_APP_PRIVATE_KEY_ARN" : "GITHUB_TOKEN_ARN";
  }

  private functionName(fn: FunctionName): string {
    return this.physicalName(fn); // Lambda function names: 64
  }

  /** Lambda's own log group names, created first so that Lambda never creates one without a retention. */
  private createLogGroups(): Record<FunctionName, aws.cloudwatch.LogGroup> {
    const logGroup = (fn: FunctionName) =>
      new aws.cloudwatch.LogGroup(
        `${this.name}-${fn}-logs`,
        { name: `/aws/lambda/${this.functionName(fn)}`, retentionInDays: this.settings.logRetentionDays },
        this.opts(),
      );
    return {
      webhook: logGroup("webhook"),
      dashboard: logGroup("dashboard"),
      worker: logGroup("worker"),
      reaper: logGroup("reaper"),
    };
  }

  /** One role per function, so that each holds only what it uses. IAM role names: 64. */
  private createRoles(): Record<FunctionName, aws.iam.Role> {
    const role = (fn: FunctionName) =>
      new aws.iam.Role(
        `${this.name}-${fn}-role`,
        { name: this.physicalName(`${fn}-role`), assumeRolePolicy: assumedByService("lambda.amazonaws.com") },
        this.opts(),
      );
    return { webhook: role("webhook"), dashboard: role("dashboard"), worker: role("worker"), reaper: role("reaper") };
  }

  /**
   * The deployer role and the copies' boundary, from the one definition `stackfork aws bootstrap`
   * also creates them from (aws/deployer-access.ts). Only the worker's role may assume the
   * deployer, and only with an environment's session tags.
   */
  private createCopyAccess(deps: {
    worker: aws.iam.Role;
    key: { key: aws.kms.Key };
    bucket: aws.s3.Bucket;
  }): CopyAccess {
    const names = deployerNames(this.settings.prefix);
    const access: pulumi.Output<DeployerAccess> = pulumi
      .all([this.partition, this.region, this.account, deps.bucket.bucket, deps.key.key.arn, deps.worker.arn])
      .apply(([partition, region, account, stateBucket, kmsKeyArn, worker]) =>
        defineDeployerAccess({ partition, region, account, prefix: this.settings.prefix, stateBucket, kmsKeyArn }, [
          worker,
        ]),
      );
    const boundary = new aws.iam.Policy(
      `${this.name}-copy-boundary`,
      {
        name: names.boundary,
        description: "stackfork: permissions boundary of every role a copy creates",
        policy: access.apply((a) => JSON.stringify(a.boundary)),
      },
      this.opts(),
    );
    const deployer = new aws.iam.Role(
      `${this.name}-deployer`,
      {
        name: names.role, // IAM role names: 64
        description: "stackfork: assumed per job with the environment's session tags; reaches that environment only",
        assumeRolePolicy: access.apply((a) => JSON.stringify(a.trust)),
        // Also the most a session chained from the worker's own may ask for.
        maxSessionDuration: 3600,
      },
      this.opts(),
    );
    const deployerPolicy = new aws.iam.RolePolicy(
      `${this.name}-deployer-access`,
      { name: DEPLOYER_POLICY_NAME, role: deployer.name, policy: access.apply((a) => JSON.stringify(a.policy)) },
      // The policy names the boundary by ARN: it exists first.
      this.opts({ dependsOn: [boundary] }),
    );
    return { deployer, boundary, deployerPolicy };
  }

  private createPolicies(deps: {
    roles: Record<FunctionName, aws.iam.Role>;
    key: { key: aws.kms.Key };
    bucket: aws.s3.Bucket;
    tables: { registry: aws.dynamodb.Table; jobs: aws.dynamodb.Table };
    queues: { wake: aws.sqs.Queue };
    secrets: Secrets;
    logGroups: Record<FunctionName, aws.cloudwatch.LogGroup>;
    copyAccess: CopyAccess;
  }): Record<FunctionName, aws.iam.RolePolicy[]> {
    const { roles, bucket, tables, queues, secrets, logGroups, copyAccess } = deps;
    const keyArn = deps.key.key.arn;
    const tableArns = [tables.registry.arn, tables.jobs.arn];
    const policy = (fn: FunctionName, statements: PolicyStatement[]) =>
      new aws.iam.RolePolicy(
        `${this.name}-${fn}-platform`,
        { name: "platform", role: roles[fn].name, policy: policyDocument([ownLogs(logGroups[fn].arn), ...statements]) },
        this.opts(),
      );
    return {
      webhook: [
        policy("webhook", [
          tableItems(tableArns, INTAKE_ITEM_ACTIONS),
          sendWakes(queues.wake.arn),
          readSecrets([secrets.webhookSecret.arn, secrets.github.arn]),
        ]),
      ],
      dashboard: [
        policy("dashboard", [
          tableItems(tableArns),
          sendWakes(queues.wake.arn),
          listState(bucket.arn),
          putUploads(bucket.arn),
          useKeyThroughS3(keyArn, bucket.arn, this.region, ["kms:GenerateDataKey"]),
          readSecrets([secrets.apiToken.arn, secrets.github.arn]),
          findTaggedResources(),
        ]),
      ],
      // The worker deploys nothing itself: every engine run gets the deployer's session (createCopyAccess).
      worker: [
        policy("worker", [
          tableItems(tableArns),
          receiveWakes(queues.wake.arn),
          sendWakes(queues.wake.arn),
          listState(bucket.arn),
          readUploads(bucket.arn),
          useKeyThroughS3(keyArn, bucket.arn, this.region, ["kms:Decrypt"]),
          assumeDeployer(copyAccess.deployer.arn),
          readSecrets([secrets.github.arn]),
        ]),
        copyAccess.deployerPolicy,
      ],
      reaper: [
        policy("reaper", [
          tableItems(tableArns),
          sendWakes(queues.wake.arn),
          listState(bucket.arn),
          readSecrets([secrets.github.arn]),
          findTaggedResources(),
        ]),
      ],
    };
  }

  /** The contract's variables (DESIGN.md, "External contract"), and which secret each function reads. */
  private describeEnvironment(deps: {
    stateUrl: pulumi.Output<string>;
    secretsProvider: pulumi.Output<string>;
    secrets: Secrets;
    copyAccess: CopyAccess;
  }): Record<FunctionName, Record<string, pulumi.Input<string>>> {
    const { secrets, copyAccess } = deps;
    const common: Record<string, pulumi.Input<string>> = {
      STACKFORK_STORE: "aws",
      STACKFORK_AWS_PREFIX: this.settings.prefix,
      STACKFORK_STATE_URL: deps.stateUrl,
      STACKFORK_SECRETS_PROVIDER: deps.secretsProvider,
      // Lambda's file system is read-only but /tmp.
      STACKFORK_DATA_DIR: "/tmp/stackfork",
      STACKFORK_CONFIG_JSON: this.settings.configJson,
      [this.githubSecretEnv()]: secrets.github.arn,
      ...(this.settings.githubAppId && { GITHUB_APP_ID: this.settings.githubAppId }),
    };
    return {
      webhook: { ...common, GITHUB_WEBHOOK_SECRET_ARN: secrets.webhookSecret.arn },
      dashboard: { ...common, STACKFORK_API_TOKEN_ARN: secrets.apiToken.arn },
      worker: {
        ...common,
        STACKFORK_DEPLOYER_ROLE_ARN: copyAccess.deployer.arn,
        STACKFORK_PERMISSIONS_BOUNDARY_ARN: copyAccess.boundary.arn,
      },
      reaper: { ...common },
    };
  }

  /**
   * The worker runs the engine, so it is a container image with the pinned pulumi CLI and the AWS
   * provider plugin baked in (platform/worker.Dockerfile), built and pushed where `pulumi up` runs
   * (Docker needed there). Versions come from the installed packages: one pin, in package.json.
   */
  private createWorkerImage() {
    const repository = new aws.ecr.Repository(
      `${this.name}-worker`,
      {
        name: this.physicalName("worker").toLowerCase(), // ECR names are lowercase
        imageScanningConfiguration: { scanOnPush: true },
        forceDelete: true,
      },
      this.opts(),
    );
    new aws.ecr.LifecyclePolicy(
      `${this.name}-worker`,
      {
        repository: repository.name,
        // Old images are only storage cost: keep the last few, for a rollback.
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: "Keep the last 5 images",
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 },
              action: { type: "expire" },
            },
          ],
        }),
      },
      this.opts(),
    );
    const root = fileURLToPath(new URL("..", import.meta.url));
    return new awsx.ecr.Image(
      `${this.name}-worker`,
      {
        repositoryUrl: repository.repositoryUrl,
        context: root,
        dockerfile: fileURLToPath(new URL("./worker.Dockerfile", import.meta.url)),
        // The release tarball and the plugin are linux-x64 builds.
        platform: "linux/amd64",
        args: {
          PULUMI_VERSION: installedVersion("@pulumi/pulumi"),
          PULUMI_AWS_VERSION: installedVersion("@pulumi/aws"),
        },
      },
      { parent: this },
    );
  }

  private createFunctions(deps: {
    roles: Record<FunctionName, aws.iam.Role>;
    policies: Record<FunctionName, aws.iam.RolePolicy[]>;
    logGroups: Record<FunctionName, aws.cloudwatch.LogGroup>;
    environment: Record<FunctionName, Record<string, pulumi.Input<string>>>;
    image: awsx.ecr.Image;
  }): Record<FunctionName, aws.lambda.Function> {
    const { roles, policies, logGroups, environment } = deps;
    const common = (fn: FunctionName) => ({
      name: this.functionName(fn),
      role: roles[fn].arn,
      environment: { variables: environment[fn] },
      loggingConfig: { logFormat: "JSON", logGroup: logGroups[fn].name },
    });
    // The role must be allowed to write logs before the first invocation.
    const after = (fn: FunctionName) => ({ dependsOn: [...policies[fn], logGroups[fn]] });
    const zip = (fn: ZipFunction, sizing: { memorySize: number; timeout: number }) =>
      new aws.lambda.Function(
        `${this.name}-${fn}`,
        {
          ...common(fn),
          runtime: "nodejs22.x",
          architectures: ["arm64"],
          handler: PLATFORM_BUNDLED_HANDLER,
          code: bundlePlatformHandler(this.handlers[fn]),
          ...sizing,
        },
        this.opts(after(fn)),
      );
    return {
      // GitHub gives up after 10 s; intake answers in milliseconds.
      webhook: zip("webhook", { memorySize: 512, timeout: 10 }),
      dashboard: zip("dashboard", { memorySize: 1024, timeout: 30 }),
      reaper: zip("reaper", { memorySize: 512, timeout: 300 }),
      worker: new aws.lambda.Function(
        `${this.name}-worker`,
        {
          ...common("worker"),
          packageType: "Image",
          imageUri: deps.image.imageUri,
          imageConfig: { commands: [WORKER_IMAGE_HANDLER] },
          architectures: ["x86_64"],
          memorySize: this.settings.workerMemoryMb,
          timeout: WORKER_TIMEOUT_SECONDS,
          // Sources, dependency installs and plugins' workspaces live in /tmp.
          ephemeralStorage: { size: 4096 },
        },
        this.opts(after("worker")),
      ),
    };
  }

  /**
   * Public Function URLs: GitHub signs the webhook's requests and the dashboard checks its own
   * token. A public URL needs both permissions since October 2025
   * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
   */
  private createFunctionUrls(functions: Record<FunctionName, aws.lambda.Function>) {
    const url = (fn: "webhook" | "dashboard") => {
      const functionUrl = new aws.lambda.FunctionUrl(
        `${this.name}-${fn}`,
        { functionName: functions[fn].name, authorizationType: "NONE", invokeMode: "BUFFERED" },
        this.opts(),
      );
      const invokeUrl = new aws.lambda.Permission(
        `${this.name}-${fn}-invoke-url`,
        {
          function: functions[fn].name,
          action: "lambda:InvokeFunctionUrl",
          principal: "*",
          functionUrlAuthType: "NONE",
        },
        this.opts(),
      );
      const invoke = new aws.lambda.Permission(
        `${this.name}-${fn}-invoke`,
        {
          function: functions[fn].name,
          action: "lambda:InvokeFunction",
          principal: "*",
          invokedViaFunctionUrl: true,
        },
        this.opts(),
      );
      return pulumi
        .all([functionUrl.functionUrl, invokeUrl.id, invoke.id])
        .apply(([address]) => address.replace(/\/+$/, ""));
    };
    return { webhook: url("webhook"), dashboard: url("dashboard") };
  }

  /**
   * One message at a time per invocation (a deploy is long), failures reported per message so that
   * a FIFO group stays blocked behind its failed message instead of skipping it.
   */
  private createEventSourceMapping(
    worker: aws.lambda.Function,
    wake: aws.sqs.Queue,
    workerPolicies: aws.iam.RolePolicy[],
  ): aws.lambda.EventSourceMapping {
    return new aws.lambda.EventSourceMapping(
      `${this.name}-wake-worker`,
      {
        eventSourceArn: wake.arn,
        functionName: worker.arn,
        batchSize: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: this.settings.workerMaxConcurrency },
      },
      // Lambda checks the role's SQS rights when the mapping is created.
      this.opts({ dependsOn: workerPolicies }),
    );
  }

  /** EventBridge Scheduler invokes the reaper with a role of its own that may invoke only the reaper. */
  private createSchedule(reaper: aws.lambda.Function): aws.scheduler.Schedule {
    const role = new aws.iam.Role(
      `${this.name}-reaper-schedule-role`,
      {
        name: this.physicalName("schedule-role"),
        assumeRolePolicy: assumedByService("scheduler.amazonaws.com", this.account),
      },
      this.opts(),
    );
    const policy = new aws.iam.RolePolicy(
      `${this.name}-reaper-schedule-invoke`,
      {
        name: "invoke-reaper",
        role: role.name,
        policy: policyDocument([
          { Sid: "InvokeReaper", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [reaper.arn] },
        ]),
      },
      this.opts(),
    );
    return new aws.scheduler.Schedule(
      `${this.name}-reaper`,
      {
        name: this.physicalName("reaper"),
        scheduleExpression: this.settings.reaperSchedule,
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: reaper.arn,
          roleArn: role.arn,
          // A missed sweep is made up by the next one.
          retryPolicy: { maximumRetryAttempts: 0 },
        },
      },
      this.opts({ dependsOn: [policy] }),
    );
  }

  /** A message in the dead-letter queue is a wake that failed every receive: someone should look. */
  private createAlarm(deadLetter: aws.sqs.Queue) {
    const topic = new aws.sns.Topic(`${this.name}-alarms`, { name: this.physicalName("alarms") }, this.opts());
    if (this.settings.alarmEmail) {
      new aws.sns.TopicSubscription(
        `${this.name}-alarms-email`,
        { topic: topic.arn, protocol: "email", endpoint: this.settings.alarmEmail as string },
        this.opts(),
      );
    }
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${this.name}-wake-dlq-depth`,
      {
        name: this.physicalName("wake-dlq-not-empty"),
        alarmDescription: `Wakes moved to ${this.resources.deadLetterQueue.name} after failing every receive: see the worker's logs.`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: deadLetter.name },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      },
      this.opts(),
    );
    return { alarm, topic };
  }
}

/**
 * A queue definition as @pulumi/aws arguments, from the same SQS attributes bootstrap sends
 * (queueAttributes): an attribute it does not know is an error here, not a silent difference.
 */
export function queueArgs(definition: QueueDefinition, deadLetterArn?: pulumi.Output<string>): aws.sqs.QueueArgs {
  const { FifoQueue, ContentBasedDeduplication, VisibilityTimeout, MessageRetentionPeriod, ...others } =
    queueAttributes(definition);
  const unknown = Object.keys(others);
  if (unknown.length > 0) throw new Error(`queueArgs: SQS attributes ${unknown.join(", ")} are not mapped`);
  return {
    name: definition.name,
    fifoQueue: FifoQueue === "true",
    contentBasedDeduplication: ContentBasedDeduplication === "true",
    visibilityTimeoutSeconds: Number(VisibilityTimeout),
    messageRetentionSeconds: Number(MessageRetentionPeriod),
    sqsManagedSseEnabled: true,
    ...(deadLetterArn && {
      redrivePolicy: deadLetterArn.apply((arn) => {
        const redrive = queueAttributes(definition, arn).RedrivePolicy;
        if (!redrive) throw new Error(`${definition.name}: no maxReceiveCount, so no redrive policy`);
        return redrive;
      }),
    }),
  };
}

function installedVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
