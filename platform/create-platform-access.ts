import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type CopyAccess, createCopyAccess } from "./create-copy-access.ts";
import { createFunctionPolicies } from "./create-function-policies.ts";
import { createFunctionRoles } from "./create-function-roles.ts";
import type { PlatformSecrets } from "./create-platform-secrets.ts";
import type { PlatformStorage } from "./create-platform-storage.ts";
import type { PlatformLocation } from "./locate-platform.ts";
import type { FunctionName } from "./platform-function-name.ts";

export interface PlatformAccess {
  roles: Record<FunctionName, aws.iam.Role>;
  /** Every policy of a function's role: the function waits for them (create-lambda-functions.ts). */
  policies: Record<FunctionName, pulumi.Resource[]>;
  copyAccess: CopyAccess;
}

/** The functions' roles and policies, and the deployer role and boundary the worker hands to the copies. */
export function createPlatformAccess(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    prefix: string;
    location: PlatformLocation;
    storage: PlatformStorage;
    secrets: PlatformSecrets;
    logGroups: Record<FunctionName, aws.cloudwatch.LogGroup>;
  },
): PlatformAccess {
  const { name, prefix, location, storage, secrets, logGroups } = deps;
  const roles = createFunctionRoles(parent, { name, prefix });
  const copyAccess = createCopyAccess(parent, {
    name,
    prefix,
    location,
    worker: roles.worker,
    key: storage.key.key,
    bucket: storage.bucket,
  });
  const policies = createFunctionPolicies(parent, {
    name,
    region: location.region,
    roles,
    storage,
    secrets,
    logGroups,
    copyAccess,
  });
  return { roles, policies, copyAccess };
}
