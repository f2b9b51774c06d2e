import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { artifactsBucketNameOf } from "../aws/deployer-names.ts";
import type { ArtifactLocation } from "./artifact-store.ts";

/** Days a packaged artifact is kept (a lifecycle rule of the bucket stackfork creates for them). */
export const ARTIFACT_EXPIRY_DAYS = 30;

export interface ArtifactLocatorOptions {
  /** The platform's S3 client (its own credentials: it creates the bucket, never a job). */
  s3: S3Client;
  /** The state bucket, when the state is on S3 (`STACKFORK_STATE_URL=s3://...`). */
  stateBucket?: string;
  /** `STACKFORK_AWS_PREFIX`: the bucket stackfork creates is `<prefix>-artifacts-<account>`. */
  awsPrefix: string;
  /** The caller's account id (asked once). */
  account: () => Promise<string>;
  /** The Pulumi project of a repository (core/project-name-of.ts). */
  projectNameOf: (repository: { name: string }) => string;
}

/**
 * Where each environment's packaged code goes: `artifacts/<project>/<environment>/` of the state
 * bucket when the state is on S3 (the AWS store), else of a bucket stackfork creates once,
 * `<prefix>-artifacts-<account>`, whose objects expire after ARTIFACT_EXPIRY_DAYS. One prefix per
 * environment: a content-addressed key found there was put by this environment's own jobs, so no
 * branch can plant code another environment would deploy. CloudFormation copies the code into
 * Lambda at create or update time, so an expired object costs one upload at the next deploy.
 */
export function createArtifactLocator(options: ArtifactLocatorOptions) {
  let ensured: Promise<string> | undefined;
  const bucket = async (): Promise<string> => {
    if (options.stateBucket) return options.stateBucket;
    ensured ??= ensureBucket(options).catch((err: unknown) => {
      ensured = undefined;
      throw err;
    });
    return ensured;
  };
  return async ({
    environment,
    repository,
  }: {
    environment: { name: string };
    repository: { name: string };
  }): Promise<ArtifactLocation> => ({
    bucket: await bucket(),
    prefix: `artifacts/${options.projectNameOf(repository)}/${environment.name}/`,
    region: await options.s3.config.region(),
  });
}

async function ensureBucket(options: ArtifactLocatorOptions): Promise<string> {
  // The deployer's policy names the same bucket (aws/deployer-cloudformation-statements.ts).
  const name = artifactsBucketNameOf(options.awsPrefix, await options.account());
  try {
    await options.s3.send(new HeadBucketCommand({ Bucket: name }));
    return name;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 && (err as Error).name !== "NotFound") throw err;
  }
  const region = await options.s3.config.region();
  await options.s3.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(region !== "us-east-1" && { CreateBucketConfiguration: { LocationConstraint: region as never } }),
    }),
  );
  await options.s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: name,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: "stackfork-artifacts",
            Status: "Enabled",
            Filter: { Prefix: "artifacts/" },
            Expiration: { Days: ARTIFACT_EXPIRY_DAYS },
          },
        ],
      },
    }),
  );
  return name;
}
