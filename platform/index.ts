import * as pulumi from "@pulumi/pulumi";
import { StackforkPlatform, type StackforkPlatformOptions } from "./stackfork-platform.ts";
import { readPlatformConfig } from "./stackfork-platform-config.ts";

/**
 * The platform's own program (root Pulumi.yaml, `main: platform/`): stackfork on AWS. Needs only
 * `aws:region`; every `stackfork:*` setting has a default (stackfork-platform-config.ts).
 */
export default async function program(options: StackforkPlatformOptions = {}) {
  const platform = new StackforkPlatform("stackfork", readPlatformConfig(new pulumi.Config("stackfork")), options);
  return {
    webhookUrl: platform.webhookUrl,
    dashboardUrl: platform.dashboardUrl,
    secretsToFill: platform.secretsToFill,
    dlqAlarm: platform.dlqAlarmName,
    alarmTopicArn: platform.alarmTopicArn,
    stateUrl: platform.stateUrl,
    secretsProvider: platform.secretsProvider,
    workerImageUri: platform.workerImageUri,
  };
}
