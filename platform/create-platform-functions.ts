import type * as aws from "@pulumi/aws";
import type * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import { createFunctionUrls } from "./create-function-urls.ts";
import { createLambdaFunctions } from "./create-lambda-functions.ts";
import type { PlatformAccess } from "./create-platform-access.ts";
import type { PlatformSecrets } from "./create-platform-secrets.ts";
import type { PlatformStorage } from "./create-platform-storage.ts";
import { createWakeEventSourceMapping } from "./create-wake-event-source-mapping.ts";
import { createWorkerImage } from "./create-worker-image.ts";
import { describeFunctionEnvironment } from "./describe-function-environment.ts";
import type { FunctionName, ZipFunction } from "./platform-function-name.ts";
import type { PlatformConfig } from "./stackfork-platform-config.ts";

export interface PlatformFunctions {
  functions: Record<FunctionName, aws.lambda.Function>;
  urls: { webhook: pulumi.Output<string>; dashboard: pulumi.Output<string> };
  image: awsx.ecr.Image;
}

/** The four functions, configured by the contract's variables; the webhook and dashboard public, the worker fed by the wake queue. */
export function createPlatformFunctions(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    settings: PlatformConfig;
    handlers: Record<ZipFunction, string>;
    storage: PlatformStorage;
    secrets: PlatformSecrets;
    logGroups: Record<FunctionName, aws.cloudwatch.LogGroup>;
    access: PlatformAccess;
  },
): PlatformFunctions {
  const { name, settings, handlers, storage, secrets, logGroups } = deps;
  const { roles, policies, copyAccess } = deps.access;
  const environment = describeFunctionEnvironment({
    settings,
    stateUrl: storage.stateUrl,
    secretsProvider: storage.secretsProvider,
    secrets,
    copyAccess,
  });
  const image = createWorkerImage(parent, { name, prefix: settings.prefix });
  const functions = createLambdaFunctions(parent, {
    name,
    settings,
    handlers,
    roles,
    policies,
    logGroups,
    environment,
    image,
  });
  const urls = createFunctionUrls(parent, { name, functions });
  createWakeEventSourceMapping(parent, {
    name,
    workerMaxConcurrency: settings.workerMaxConcurrency,
    worker: functions.worker,
    wake: storage.queues.wake,
    workerPolicies: policies.worker,
  });
  return { functions, urls, image };
}
