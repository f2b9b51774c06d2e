import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsResources } from "../aws/aws-resources.ts";
import { createPlatformTables } from "./create-platform-tables.ts";
import { createStateBucket } from "./create-state-bucket.ts";
import { createStateKey } from "./create-state-key.ts";
import { createWakeQueues } from "./create-wake-queues.ts";

export interface PlatformStorage {
  key: { key: aws.kms.Key; alias: aws.kms.Alias };
  bucket: aws.s3.Bucket;
  tables: { registry: aws.dynamodb.Table; jobs: aws.dynamodb.Table };
  queues: { wake: aws.sqs.Queue; deadLetter: aws.sqs.Queue };
  /** STACKFORK_STATE_URL: the environments' Pulumi state, in the bucket. */
  stateUrl: pulumi.Output<string>;
  /** STACKFORK_SECRETS_PROVIDER: the stacks' secrets, encrypted with the key. */
  secretsProvider: pulumi.Output<string>;
}

/** What the platform keeps: the registry and jobs, the wakes, and the environments' Pulumi state. */
export function createPlatformStorage(
  parent: pulumi.ComponentResource,
  deps: { name: string; prefix: string; resources: AwsResources; region: pulumi.Output<string> },
): PlatformStorage {
  const { name, prefix, resources, region } = deps;
  const key = createStateKey(parent, { name, prefix });
  const bucket = createStateBucket(parent, { name, prefix, key: key.key });
  const tables = createPlatformTables(parent, { name, resources });
  const queues = createWakeQueues(parent, { name, resources });
  return {
    key,
    bucket,
    tables,
    queues,
    stateUrl: pulumi.interpolate`s3://${bucket.bucket}?region=${region}`,
    secretsProvider: pulumi.interpolate`awskms://${key.alias.name}?region=${region}`,
  };
}
