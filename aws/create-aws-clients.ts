import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { STSClient } from "@aws-sdk/client-sts";
import { type AwsClientOptions, awsClientConfig } from "./aws-client-config.ts";

export type { AwsClientOptions } from "./aws-client-config.ts";

import { createStoreClients, type StoreClients } from "./create-store-clients.ts";

export interface AwsClients extends StoreClients {
  s3: S3Client;
  kms: KMSClient;
  secrets: SecretsManagerClient;
  /** Bootstrap's deployer role and the copies' boundary. */
  iam: IAMClient;
  /** Who the caller is (the account bootstrap creates the deployer role in). */
  sts: STSClient;
}

/**
 * Every AWS client stackfork uses, one per service, built once per process (bootstrap, tests,
 * benches). Entry points that need fewer build fewer: createStoreClients, createS3Client.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const stores = createStoreClients(options);
  const s3 = createS3Client(options);
  const kms = new KMSClient(awsClientConfig(options));
  const secrets = new SecretsManagerClient(awsClientConfig(options));
  const iam = new IAMClient(awsClientConfig(options));
  const sts = new STSClient(awsClientConfig(options));
  return {
    ...stores,
    s3,
    kms,
    secrets,
    iam,
    sts,
    destroy() {
      stores.destroy();
      for (const client of [s3, kms, secrets, iam, sts]) client.destroy();
    },
  };
}

/** Path-style addressing when an endpoint is given: emulators answer on one host, not on <bucket>.<host>. */
export function createS3Client(options: AwsClientOptions = {}): S3Client {
  return new S3Client({ ...awsClientConfig(options), forcePathStyle: Boolean(options.endpoint) || undefined });
}

/** Resources by tag, in the chain's region (cloud orphans: what stackfork's copies created). */
export function createTaggingClient(options: AwsClientOptions = {}): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient(awsClientConfig(options));
}
