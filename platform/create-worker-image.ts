import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import { platformPhysicalName } from "./platform-physical-name.ts";

const require = createRequire(import.meta.url);

/**
 * The worker runs the engine, so it is a container image with the pinned pulumi CLI and the AWS
 * provider plugin baked in (platform/worker.Dockerfile), built and pushed where `pulumi up` runs
 * (Docker needed there). Versions come from the installed packages: one pin, in package.json.
 */
export function createWorkerImage(
  parent: pulumi.ComponentResource,
  deps: { name: string; prefix: string },
): awsx.ecr.Image {
  const { name, prefix } = deps;
  const repository = new aws.ecr.Repository(
    `${name}-worker`,
    {
      name: platformPhysicalName(prefix, "worker").toLowerCase(), // ECR names are lowercase
      imageScanningConfiguration: { scanOnPush: true },
      forceDelete: true,
    },
    { parent },
  );
  new aws.ecr.LifecyclePolicy(
    `${name}-worker`,
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
    { parent },
  );
  const root = fileURLToPath(new URL("..", import.meta.url));
  return new awsx.ecr.Image(
    `${name}-worker`,
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
    { parent },
  );
}

function installedVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
