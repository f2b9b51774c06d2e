import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { defineAwsResources } from "../aws/aws-resources.ts";
import { createDlqAlarm } from "./create-dlq-alarm.ts";
import { createFunctionLogGroups } from "./create-function-log-groups.ts";
import { createPlatformAccess } from "./create-platform-access.ts";
import { createPlatformFunctions } from "./create-platform-functions.ts";
import { createPlatformSchedule } from "./create-platform-schedule.ts";
import { createPlatformSecrets } from "./create-platform-secrets.ts";
import { createPlatformStorage } from "./create-platform-storage.ts";
import { githubSecretEnv } from "./github-secret-env.ts";
import { locatePlatform } from "./locate-platform.ts";
import type { PlatformConfig } from "./stackfork-platform-config.ts";

/** The zip functions' entry points (DESIGN.md, "External contract"), each exporting `handler`. */
export const PLATFORM_HANDLERS = {
  webhook: fileURLToPath(new URL("./webhook-handler.ts", import.meta.url)),
  dashboard: fileURLToPath(new URL("./dashboard-handler.ts", import.meta.url)),
  reaper: fileURLToPath(new URL("./reaper-handler.ts", import.meta.url)),
};

export interface StackforkPlatformOptions extends pulumi.ComponentResourceOptions {
  /** Other entry points for the zip functions (tests). @default PLATFORM_HANDLERS */
  handlers?: Partial<typeof PLATFORM_HANDLERS>;
}

/**
 * stackfork on AWS (DESIGN.md, "AWS mode in detail"): the webhook and dashboard behind Function
 * URLs, the worker fed by the SQS FIFO wake queue, the reaper on a schedule; the registry and jobs
 * in DynamoDB, the environments' Pulumi state in S3 with awskms:// secrets; one role per function.
 * Costs nothing but storage while no event arrives.
 *
 * Every resource is created with this component as parent and a logical name `<name>-...`: their
 * URNs depend on both, so moving code between the create-* files never replaces a resource.
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

  constructor(name: string, settings: PlatformConfig, options: StackforkPlatformOptions = {}) {
    const { handlers: handlerOverrides, ...componentOptions } = options;
    super("stackfork:platform:StackforkPlatform", name, {}, componentOptions);
    const { prefix } = settings;
    const resources = defineAwsResources(prefix);
    const handlers = { ...PLATFORM_HANDLERS, ...handlerOverrides };
    const location = locatePlatform(this);

    const storage = createPlatformStorage(this, { name, prefix, resources, region: location.region });
    const secrets = createPlatformSecrets(this, { name, settings });
    const logGroups = createFunctionLogGroups(this, { name, settings });
    const access = createPlatformAccess(this, { name, prefix, location, storage, secrets, logGroups });
    const { functions, urls, image } = createPlatformFunctions(this, {
      name,
      settings,
      handlers,
      storage,
      secrets,
      logGroups,
      access,
    });
    createPlatformSchedule(this, {
      name,
      prefix,
      reaperSchedule: settings.reaperSchedule,
      account: location.account,
      reaper: functions.reaper,
    });
    const { alarm, topic } = createDlqAlarm(this, {
      name,
      prefix,
      alarmEmail: settings.alarmEmail,
      deadLetterQueue: resources.deadLetterQueue,
      deadLetter: storage.queues.deadLetter,
    });

    this.webhookUrl = urls.webhook;
    this.dashboardUrl = urls.dashboard;
    this.secretsToFill = pulumi.output<Record<string, pulumi.Input<string>>>({
      [githubSecretEnv(settings)]: secrets.github.arn,
      GITHUB_WEBHOOK_SECRET_ARN: secrets.webhookSecret.arn,
      STACKFORK_API_TOKEN_ARN: secrets.apiToken.arn,
      ...(secrets.githubOAuthClientSecret && { GITHUB_OAUTH_CLIENT_SECRET_ARN: secrets.githubOAuthClientSecret.arn }),
    });
    this.dlqAlarmName = alarm.name;
    this.alarmTopicArn = topic.arn;
    this.stateUrl = storage.stateUrl;
    this.secretsProvider = storage.secretsProvider;
    this.workerImageUri = image.imageUri;
    this.deployerRoleArn = access.copyAccess.deployer.arn;
    this.permissionsBoundaryArn = access.copyAccess.boundary.arn;
    this.registerOutputs({
      webhookUrl: this.webhookUrl,
      dashboardUrl: this.dashboardUrl,
      secretsToFill: this.secretsToFill,
      dlqAlarmName: this.dlqAlarmName,
    });
  }
}
