import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface AwsClients {
  dynamodb: DynamoDBClient;
  /** Plain JS values in and out (marshalled by lib-dynamodb): what the adapters use. */
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  s3: S3Client;
  kms: KMSClient;
  secrets: SecretsManagerClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

export interface AwsClientOptions {
  /**
   * Attempts per call, retries included. Throttling, 5xx and network errors are retried by the SDK's
   * own standard strategy (exponential backoff with jitter, a retry-token bucket).
   * @default 6
   */
  maxAttempts?: number;
  /** Tests only (a throttling proxy): one endpoint for every service, ahead of the standard chain. */
  endpoint?: string;
}

/**
 * One client per service, built once per process. Region, endpoint (`AWS_ENDPOINT_URL`,
 * `AWS_ENDPOINT_URL_<SERVICE>`), credentials and profiles come from the SDK's standard chain, so the
 * same code runs against AWS, LocalStack or moto.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: "standard",
    ...(options.endpoint && { endpoint: options.endpoint }),
  };
  const dynamodb = new DynamoDBClient(common);
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  // Path-style addressing: emulators answer on one host, not on <bucket>.<host>.
  const s3 = new S3Client({ ...common, forcePathStyle: Boolean(options.endpoint) || undefined });
  const sqs = new SQSClient(common);
  const kms = new KMSClient(common);
  const secrets = new SecretsManagerClient(common);
  return {
    dynamodb,
    documents,
    sqs,
    s3,
    kms,
    secrets,
    destroy() {
      for (const client of [documents, dynamodb, s3, sqs, kms, secrets]) client.destroy();
    },
  };
}
