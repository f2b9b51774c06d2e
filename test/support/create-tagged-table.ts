import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { buildTags } from "../../stacks/service/aws/build-tags.ts";

/**
 * A DynamoDB table on the emulator carrying the tags a copy of `repository` gets
 * (stacks/service/aws/build-tags.ts), as the copy's own table would: what the cloud-orphan report
 * finds through the Tagging API. Returns its ARN.
 */
export async function createTaggedTable(
  dynamodb: DynamoDBClient,
  copy: { environment: string; repository: string; branch: string },
): Promise<string> {
  const tags = buildTags({ ...copy, commit: "9".padStart(40, "0"), target: "aws" });
  const output = await dynamodb.send(
    new CreateTableCommand({
      TableName: `${copy.environment}-items`,
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return output.TableDescription?.TableArn as string;
}
