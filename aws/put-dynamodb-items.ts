import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StackforkError } from "../core/errors.ts";
import type { DynamoDbSender } from "./create-dynamodb-sender.ts";

/** BatchWriteItem takes at most 25 puts; a few batches go out at once. */
const BATCH_SIZE = 25;
const BATCHES_IN_FLIGHT = 4;
const UNPROCESSED_ATTEMPTS = 8;

/**
 * Puts every item, unconditionally, in batches. BatchWriteItem may leave items unprocessed
 * (throttling) without an error: those are sent again with backoff, and AWS_THROTTLED ends it.
 */
export async function putDynamoDbItems(
  { documents, tableName, sender }: { documents: DynamoDBDocumentClient; tableName: string; sender: DynamoDbSender },
  items: readonly object[],
): Promise<void> {
  const batches: object[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
  for (let i = 0; i < batches.length; i += BATCHES_IN_FLIGHT) {
    await Promise.all(batches.slice(i, i + BATCHES_IN_FLIGHT).map(putBatch));
  }

  async function putBatch(batch: readonly object[]): Promise<void> {
    let requests = batch.map((item) => ({ PutRequest: { Item: item as Record<string, unknown> } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ATTEMPTS) {
        throw new StackforkError("AWS_THROTTLED", `BatchWriteItem on ${tableName}: items left unprocessed`, {
          details: { unprocessed: requests.length },
        });
      }
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * Math.random()));
      const output = await sender.send("BatchWriteItem", () =>
        documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } })),
      );
      requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
