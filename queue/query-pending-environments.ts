import { paginateQuery, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import { type EnvironmentItem, PENDING } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";

/** Every environment with jobs, through the index (eventually consistent on AWS), all pages. */
export async function queryPendingEnvironments(
  { documents, table, index }: AwsJobTable,
  input: Pick<QueryCommandInput, "KeyConditionExpression" | "FilterExpression" | "ExpressionAttributeValues"> &
    Partial<Pick<QueryCommandInput, "ExpressionAttributeNames">> = {},
): Promise<EnvironmentItem[]> {
  const items: EnvironmentItem[] = [];
  const pages = paginateQuery(
    { client: documents },
    {
      TableName: table,
      IndexName: index,
      KeyConditionExpression: input.KeyConditionExpression ?? "gsi1pk = :pending",
      ...(input.FilterExpression && { FilterExpression: input.FilterExpression }),
      ...(input.ExpressionAttributeNames && { ExpressionAttributeNames: input.ExpressionAttributeNames }),
      ExpressionAttributeValues: { ":pending": PENDING, ...input.ExpressionAttributeValues },
    },
  );
  try {
    for await (const page of pages) items.push(...((page.Items ?? []) as EnvironmentItem[]));
  } catch (err) {
    throw translateAwsError(err, `Query ${index} on ${table}`);
  }
  return items;
}
