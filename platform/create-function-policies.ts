import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { CopyAccess } from "./create-copy-access.ts";
import type { PlatformSecrets } from "./create-platform-secrets.ts";
import type { PlatformStorage } from "./create-platform-storage.ts";
import type { FunctionName } from "./platform-function-name.ts";
import {
  assumeDeployer,
  describeCopies,
  findTaggedResources,
  INTAKE_ITEM_ACTIONS,
  listState,
  ownLogs,
  type PolicyStatement,
  policyDocument,
  putUploads,
  readSecrets,
  readUploads,
  readUsage,
  receiveWakes,
  sendWakes,
  tableItems,
  useKeyThroughS3,
} from "./stackfork-platform-policies.ts";

/** Each function's rights on the platform's own resources, besides writing its logs: only what it uses. */
export function createFunctionPolicies(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    region: pulumi.Output<string>;
    roles: Record<FunctionName, aws.iam.Role>;
    storage: PlatformStorage;
    secrets: PlatformSecrets;
    logGroups: Record<FunctionName, aws.cloudwatch.LogGroup>;
    copyAccess: CopyAccess;
  },
): Record<FunctionName, pulumi.Resource[]> {
  const { name, region, roles, secrets, logGroups, copyAccess } = deps;
  const { bucket, tables, queues } = deps.storage;
  const keyArn = deps.storage.key.key.arn;
  const tableArns = [tables.registry.arn, tables.jobs.arn];
  const policy = (fn: FunctionName, statements: PolicyStatement[]) =>
    new aws.iam.RolePolicy(
      `${name}-${fn}-platform`,
      { name: "platform", role: roles[fn].name, policy: policyDocument([ownLogs(logGroups[fn].arn), ...statements]) },
      { parent },
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
        useKeyThroughS3(keyArn, bucket.arn, region, ["kms:GenerateDataKey"]),
        readSecrets([
          secrets.apiToken.arn,
          secrets.github.arn,
          ...(secrets.githubOAuthClientSecret ? [secrets.githubOAuthClientSecret.arn] : []),
        ]),
        findTaggedResources(),
      ]),
    ],
    // The worker deploys nothing itself: every engine run gets the deployer's session (create-copy-access.ts).
    worker: [
      policy("worker", [
        tableItems(tableArns),
        receiveWakes(queues.wake.arn),
        sendWakes(queues.wake.arn),
        listState(bucket.arn),
        readUploads(bucket.arn),
        useKeyThroughS3(keyArn, bucket.arn, region, ["kms:Decrypt"]),
        assumeDeployer(copyAccess.deployer.arn),
        readSecrets([secrets.github.arn]),
      ]),
      copyAccess.deployerPolicy,
      copyAccess.cloudFormationAttachment,
    ],
    reaper: [
      policy("reaper", [
        tableItems(tableArns),
        sendWakes(queues.wake.arn),
        listState(bucket.arn),
        readSecrets([secrets.github.arn]),
        findTaggedResources(),
        // The maintenance run's cost step (app/create-cost-step.ts).
        readUsage(),
        describeCopies(region),
      ]),
    ],
  };
}
