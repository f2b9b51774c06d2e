import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { platformPhysicalName } from "./platform-physical-name.ts";
import { assumedByService, policyDocument } from "./stackfork-platform-policies.ts";

/** EventBridge Scheduler invokes the reaper with a role of its own that may invoke only the reaper. */
export function createPlatformSchedule(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    prefix: string;
    reaperSchedule: string;
    account: pulumi.Output<string>;
    reaper: aws.lambda.Function;
  },
): aws.scheduler.Schedule {
  const { name, prefix, reaper } = deps;
  const role = new aws.iam.Role(
    `${name}-reaper-schedule-role`,
    {
      name: platformPhysicalName(prefix, "schedule-role"),
      assumeRolePolicy: assumedByService("scheduler.amazonaws.com", deps.account),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-reaper-schedule-invoke`,
    {
      name: "invoke-reaper",
      role: role.name,
      policy: policyDocument([
        { Sid: "InvokeReaper", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [reaper.arn] },
      ]),
    },
    { parent },
  );
  return new aws.scheduler.Schedule(
    `${name}-reaper`,
    {
      name: platformPhysicalName(prefix, "reaper"),
      scheduleExpression: deps.reaperSchedule,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: reaper.arn,
        roleArn: role.arn,
        // A missed sweep is made up by the next one.
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    },
    { parent, dependsOn: [policy] },
  );
}
