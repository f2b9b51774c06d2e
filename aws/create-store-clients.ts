import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AwsClientOptions } from "./aws-client-config.ts";
import { awsClientConfig } from "./aws-client-config.ts";

/**
 * The clients of the registry and the job queue only: DynamoDB and SQS. The webhook Lambda loads
 * these and nothing else of the SDK (S3 and KMS are the engine's business), which keeps its bundle
 * and its cold start small.
 */
export function createStoreClients(options: AwsClientOptions = {}) {
  const config = awsClientConfig(options);
  const dynamodb = new DynamoDBClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient(config);
  return {
    dynamodb,
    /** Plain JS values in and out (marshalled by lib-dynamodb): what the adapters use. */
    documents,
    sqs,
    destroy() {
      for (const client of [documents, dynamodb, sqs]) client.destroy();
    },
  };
}

export type StoreClients = ReturnType<typeof createStoreClients>;
