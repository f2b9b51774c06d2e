import * as aws from "@pulumi/aws";
import type * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import { WORKER_TIMEOUT_SECONDS } from "../aws/aws-resources.ts";
import { type FunctionName, platformFunctionName, type ZipFunction } from "./platform-function-name.ts";
import { bundlePlatformHandler, PLATFORM_BUNDLED_HANDLER } from "./stackfork-platform-bundle.ts";
import type { PlatformConfig } from "./stackfork-platform-config.ts";

/** The worker image's handler setting: platform/worker-handler.ts's `handler` (see worker.Dockerfile). */
export const WORKER_IMAGE_HANDLER = "platform/worker-handler.handler";

/** The webhook, dashboard and reaper as bundled zips, the worker from its image; each with its own role. */
export function createLambdaFunctions(
  parent: pulumi.ComponentResource,
  deps: {
    name: string;
    settings: PlatformConfig;
    handlers: Record<ZipFunction, string>;
    roles: Record<FunctionName, aws.iam.Role>;
    policies: Record<FunctionName, pulumi.Resource[]>;
    logGroups: Record<FunctionName, aws.cloudwatch.LogGroup>;
    environment: Record<FunctionName, Record<string, pulumi.Input<string>>>;
    image: awsx.ecr.Image;
  },
): Record<FunctionName, aws.lambda.Function> {
  const { name, settings, handlers, roles, policies, logGroups, environment } = deps;
  const common = (fn: FunctionName) => ({
    name: platformFunctionName(settings.prefix, fn),
    role: roles[fn].arn,
    environment: { variables: environment[fn] },
    loggingConfig: { logFormat: "JSON", logGroup: logGroups[fn].name },
  });
  // The role must be allowed to write logs before the first invocation.
  const after = (fn: FunctionName) => ({ parent, dependsOn: [...policies[fn], logGroups[fn]] });
  const zip = (fn: ZipFunction, sizing: { memorySize: number; timeout: number }) =>
    new aws.lambda.Function(
      `${name}-${fn}`,
      {
        ...common(fn),
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: PLATFORM_BUNDLED_HANDLER,
        code: bundlePlatformHandler(handlers[fn]),
        ...sizing,
      },
      after(fn),
    );
  return {
    // GitHub gives up after 10 s; intake answers in milliseconds.
    webhook: zip("webhook", { memorySize: 512, timeout: 10 }),
    dashboard: zip("dashboard", { memorySize: 1024, timeout: 30 }),
    reaper: zip("reaper", { memorySize: 512, timeout: 300 }),
    worker: new aws.lambda.Function(
      `${name}-worker`,
      {
        ...common("worker"),
        packageType: "Image",
        imageUri: deps.image.imageUri,
        imageConfig: { commands: [WORKER_IMAGE_HANDLER] },
        architectures: ["x86_64"],
        memorySize: settings.workerMemoryMb,
        timeout: WORKER_TIMEOUT_SECONDS,
        // Sources, dependency installs and plugins' workspaces live in /tmp.
        ephemeralStorage: { size: 4096 },
      },
      after("worker"),
    ),
  };
}
