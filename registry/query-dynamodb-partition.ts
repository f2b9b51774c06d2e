import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
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
  let startKey: Record<string, unknown> | undefined;
  do {
    const remaining = limit === undefined ? undefined : limit - items.length;
    const output: QueryCommandOutput = await sender.send("Query", () =>
      documents.send(
        new QueryCommand({
          TableName: tableName,
          ...input,
          ConsistentRead: true,
          // With a filter, Limit counts what is read, not what matches: read a little ahead.
          ...(remaining !== undefined && { Limit: input.FilterExpression ? Math.max(remaining, 100) : remaining }),
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    items.push(...((output.Items ?? []) as T[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined && (limit === undefined || items.length < limit));
  return limit === undefined ? items : items.slice(0, limit);
}
