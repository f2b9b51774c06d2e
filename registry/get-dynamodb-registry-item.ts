import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDbSender } from "../aws/create-dynamodb-sender.ts";
import type { Key } from "./dynamodb-registry-items.ts";

/** What every part of the DynamoDB registry works on: its table, and how requests to it are sent. */
export interface DynamoDbRegistryTable {
  documents: DynamoDBDocumentClient;
  tableName: string;
  sender: DynamoDbSender;
}

/** One item, read consistently: every read-check-write of the registry starts from the latest version. */
export async function getDynamoDbRegistryItem<T>(table: DynamoDbRegistryTable, key: Key): Promise<T | undefined> {
  const output = await table.sender.send("GetItem", () =>
    table.documents.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true })),
  );
  return output.Item as T | undefined;
}
