import { type DynamoDBDocumentClient, paginateQuery } from "@aws-sdk/lib-dynamodb";
import type { DynamoDbSender } from "./create-dynamodb-sender.ts";

export interface PartitionQuery {
  KeyConditionExpression: string;
  ExpressionAttributeValues: Record<string, unknown>;
  FilterExpression?: string;
  ScanIndexForward: boolean;
  /** At most this many items; all of them without. */
  limit?: number;
}

/**
 * The items of one partition of the table (not an index: strongly consistent) the key condition
 * takes, in sort key order, page after page (DynamoDB stops a page at 1 MB) up to `limit`.
 */
export async function queryDynamoDbPartition<T>(
  { documents, tableName, sender }: { documents: DynamoDBDocumentClient; tableName: string; sender: DynamoDbSender },
  { limit, ...input }: PartitionQuery,
): Promise<T[]> {
  const items: T[] = [];
  // With a filter, Limit counts what is read, not what matches: read a little ahead.
  const pageSize = limit === undefined ? undefined : input.FilterExpression ? Math.max(limit, 100) : limit;
  const pages = paginateQuery(
    { client: documents, ...(pageSize !== undefined && { pageSize }) },
    { TableName: tableName, ...input, ConsistentRead: true },
  );
  await sender.send("Query", async () => {
    for await (const page of pages) {
      items.push(...((page.Items ?? []) as T[]));
      if (limit !== undefined && items.length >= limit) break;
    }
  });
  return limit === undefined ? items : items.slice(0, limit);
}
