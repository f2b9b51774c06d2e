import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * On AWS the SDK takes region and credentials from the Lambda environment. Against a local store
 * (dynalite) it still signs requests, so it gets a fixed region and dummy credentials.
 */
export function createDynamoClient({ endpoint }: { endpoint?: string }): DynamoDBClient {
  if (!endpoint) return new DynamoDBClient({});
  return new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}
