import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StackforkError } from "../../core/errors.ts";

/** DynamoDB's limit per BatchWriteItem. */
const BATCH = 25;
const MAX_ROUNDS_PER_BATCH = 8;

export interface LoadSeedItemsRequest {
  items: readonly Record<string, unknown>[];
  tableName: string;
  /**
   * A local copy's dynalite (`http://127.0.0.1:<port>`); absent: the SDK's standard chain (an `aws` copy).
   */
  endpoint?: string;
  /** The job's own AWS variables (its deployer session), never the platform's; a local copy needs none. */
  env: Record<string, string>;
  onOutput: (line: string) => void;
}

/**
 * Puts a seed's items into the copy's table, 25 a request, retrying what DynamoDB leaves unprocessed
 * (throttling), saying how far it got. Items are data, not code: no branch code runs here, so this
 * runs on the platform's side with the job's credentials.
 */
export async function loadSeedItems(request: LoadSeedItemsRequest): Promise<void> {
  const { env } = request;
  const client = new DynamoDBClient({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(request.endpoint
      ? { endpoint: request.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {
          ...(env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL
            ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL }
            : {}),
          ...(env.AWS_ACCESS_KEY_ID &&
            env.AWS_SECRET_ACCESS_KEY && {
              credentials: {
                accessKeyId: env.AWS_ACCESS_KEY_ID,
                secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
                sessionToken: env.AWS_SESSION_TOKEN,
              },
            }),
        }),
  });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  try {
    let done = 0;
    for (let start = 0; start < request.items.length; start += BATCH) {
      let pending = request.items.slice(start, start + BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === MAX_ROUNDS_PER_BATCH)
          throw new StackforkError("SEED_FAILED", `${request.tableName} kept refusing items after ${done} were loaded`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
        const answer = await documents
          .send(new BatchWriteCommand({ RequestItems: { [request.tableName]: pending } }))
          .catch((err: unknown) => {
            throw new StackforkError(
              "SEED_FAILED",
              `loading items into ${request.tableName}: ${(err as Error).name}: ${(err as Error).message}`,
              { cause: err },
            );
          });
        pending = (answer.UnprocessedItems?.[request.tableName] ?? []) as typeof pending;
      }
      done = Math.min(start + BATCH, request.items.length);
      if (done % 500 === 0 || done === request.items.length)
        request.onOutput(`seed: ${done} of ${request.items.length} items loaded into ${request.tableName}`);
    }
  } finally {
    client.destroy();
  }
}
