import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type FunctionName, platformFunctionName } from "./platform-function-name.ts";
import type { PlatformConfig } from "./stackfork-platform-config.ts";

/** Lambda's own log group names, created first so that Lambda never creates one without a retention. */
export function createFunctionLogGroups(
  parent: pulumi.ComponentResource,
  deps: { name: string; settings: PlatformConfig },
): Record<FunctionName, aws.cloudwatch.LogGroup> {
  const { name, settings } = deps;
  const logGroup = (fn: FunctionName) =>
    new aws.cloudwatch.LogGroup(
      `${name}-${fn}-logs`,
      { name: `/aws/lambda/${platformFunctionName(settings.prefix, fn)}`, retentionInDays: settings.logRetentionDays },
      { parent },
    );
  return {
    webhook: logGroup("webhook"),
    dashboard: logGroup("dashboard"),
    worker: logGroup("worker"),
    reaper: logGroup("reaper"),
  };
}
