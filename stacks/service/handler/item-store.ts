import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

export interface Item {
  id: string;
  name: string;
  note?: string;
  /** ISO 8601 */
  createdAt: string;
  updatedAt: string;
}

export interface ItemPage {
  items: Item[];
  /** The key to continue after, when there may be more. */
  lastKey?: Record<string, unknown>;
}

export interface ItemChanges {
  name: string;
  note?: string;
  updatedAt: string;
}

/** The items table: partition key `id` (string), nothing else. */
export interface ItemStore {
  list(options: { limit: number; startKey?: Record<string, unknown> }): Promise<ItemPage>;
  get(id: string): Promise<Item | undefined>;
  create(item: Item): Promise<void>;
  /** Undefined when there is no such item. */
  update(id: string, changes: ItemChanges): Promise<Item | undefined>;
  /** False when there was no such item. */
  delete(id: string): Promise<boolean>;
}

/** Items in DynamoDB through the document client; only item-level actions, matching the IAM policy. */
export function createItemStore(client: DynamoDBClient, tableName: string): ItemStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    async list({ limit, startKey }) {
      const out = await doc.send(new ScanCommand({ TableName: tableName, Limit: limit, ExclusiveStartKey: startKey }));
      return { items: (out.Items ?? []) as Item[], lastKey: out.LastEvaluatedKey };
    },
    async get(id) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { id } }));
      return out.Item as Item | undefined;
    },
    async create(item) {
      await doc.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(id)" }),
      );
    },
    async update(id, { name, note, updatedAt }) {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id },
            ConditionExpression: "attribute_exists(id)",
            UpdateExpression: `SET #name = :name, updatedAt = :updatedAt${note === undefined ? " REMOVE note" : ", note = :note"}`,
            ExpressionAttributeNames: { "#name": "name" },
            ExpressionAttributeValues: {
              ":name": name,
              ":updatedAt": updatedAt,
              ...(note === undefined ? {} : { ":note": note }),
            },
            ReturnValues: "ALL_NEW",
          }),
        );
        return out.Attributes as Item;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return undefined;
        throw err;
      }
    },
    async delete(id) {
      const out = await doc.send(new DeleteCommand({ TableName: tableName, Key: { id }, ReturnValues: "ALL_OLD" }));
      return out.Attributes !== undefined;
    },
  };
}
