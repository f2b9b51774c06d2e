import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { FunctionName } from "./platform-function-name.ts";
import { platformPhysicalName } from "./platform-physical-name.ts";
import { assumedByService } from "./stackfork-platform-policies.ts";

/** One role per function, so that each holds only what it uses. IAM role names: 64. */
export function createFunctionRoles(
  parent: pulumi.ComponentResource,
  deps: { name: string; prefix: string },
): Record<FunctionName, aws.iam.Role> {
  const { name, prefix } = deps;
  const role = (fn: FunctionName) =>
    new aws.iam.Role(
      `${name}-${fn}-role`,
      { name: platformPhysicalName(prefix, `${fn}-role`), assumeRolePolicy: assumedByService("lambda.amazonaws.com") },
      { parent },
    );
  return { webhook: role("webhook"), dashboard: role("dashboard"), worker: role("worker"), reaper: role("reaper") };
}
