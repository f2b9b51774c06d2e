import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";

/** A new table is CREATING until dynalite's createTableMs (0 here) passes: a few polls at most. */
const ACTIVE_POLLS = 100;

/** The local store's stand-in for the table the aws target declares: same key, created when missing. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await readTableStatus(client, tableName)) === undefined) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }
  for (let i = 0; i < ACTIVE_POLLS; i++) {
    if ((await readTableStatus(client, tableName)) === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE.`);
}

async function readTableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}
