import { type CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import type { StoredBytes } from "../core/environment-cost.ts";
import type { CopyResources } from "./group-copy-resources.ts";

export interface StoredBytesClients {
  dynamodb: Pick<DynamoDBClient, "send">;
  logs: Pick<CloudWatchLogsClient, "send">;
  s3?: Pick<S3Client, "send">;
}

/** A gone resource stores nothing: a copy being destroyed is measured as it empties. */
const GONE = new Set(["ResourceNotFoundException", "NoSuchBucket"]);

/**
 * What a copy keeps stored now: its tables' TableSizeBytes (DynamoDB refreshes it about every six
 * hours), its log groups' storedBytes, and the objects under its prefixes of the state bucket
 * (`prefixes`: its stack's state, history and backups, its packaged artifacts). Describe calls are
 * free; a LIST request costs $0.005 per 1,000, which is why the caller lists only after a change.
 */
export async function readStoredBytes(
  clients: StoredBytesClients,
  resources: CopyResources,
  state: { bucket: string; prefixes: string[] } | undefined,
): Promise<StoredBytes> {
  let dynamoBytes = 0;
  for (const table of resources.tables) {
    const output = await tolerateGone(() => clients.dynamodb.send(new DescribeTableCommand({ TableName: table })));
    dynamoBytes += output?.Table?.TableSizeBytes ?? 0;
  }
  let logBytes = 0;
  for (const group of resources.logGroups) {
    const output = await tolerateGone(() =>
      clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group, limit: 5 })),
    );
    logBytes += output?.logGroups?.find((g) => g.logGroupName === group)?.storedBytes ?? 0;
  }
  let stateBytes = 0;
  if (state && clients.s3) {
    for (const prefix of state.prefixes) stateBytes += await sumObjectSizes(clients.s3, state.bucket, prefix);
  }
  return { dynamoBytes, logBytes, stateBytes };
}

async function sumObjectSizes(s3: Pick<S3Client, "send">, bucket: string, prefix: string): Promise<number> {
  let total = 0;
  let token: string | undefined;
  do {
    const output: ListObjectsV2CommandOutput | undefined = await tolerateGone(() =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
    );
    for (const object of output?.Contents ?? []) total += object.Size ?? 0;
    token = output?.IsTruncated ? output.NextContinuationToken : undefined;
  } while (token);
  return total;
}

async function tolerateGone<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (GONE.has((err as { name?: string }).name ?? "")) return undefined;
    throw translateAwsError(err, "a describe call for a copy's stored bytes");
  }
}
