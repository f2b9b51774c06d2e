import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AccessStore, NamedToken } from "./access-store.ts";
import {
  accessKeys,
  type NamedTokenItem,
  type PersonSessionItem,
  toNamedToken,
  toPersonSession,
} from "./dynamodb-access-items.ts";
import { EXISTS, NOT_EXISTS } from "./dynamodb-registry-items.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import { type DynamoDbRegistryTable, getDynamoDbRegistryItem } from "./get-dynamodb-registry-item.ts";
import { tokenNameTaken } from "./token-name-taken.ts";
import { tokenNotFound } from "./token-not-found.ts";

/**
 * People's sessions and named tokens in the registry's table (items in dynamodb-access-items.ts).
 * Every read is consistent: an ended session or a revoked token stops at the next request, on
 * every Lambda instance.
 */
export function createDynamoDbAccessStore(table: DynamoDbRegistryTable): AccessStore {
  const { tableName, documents, sender } = table;
  return {
    async createPersonSession(session) {
      const expiresAtMs = Date.parse(session.expiresAt);
      const item: PersonSessionItem = {
        ...accessKeys.personSession(session.id),
        ...session,
        expiresAtMs,
        ttl: epochSeconds(expiresAtMs),
      };
      await sender.send("PutItem", () => documents.send(new PutCommand({ TableName: tableName, Item: item })));
    },
    async readPersonSession(id, now) {
      const item = await getDynamoDbRegistryItem<PersonSessionItem>(table, accessKeys.personSession(id));
      return item && item.expiresAtMs > now.getTime() ? toPersonSession(item) : undefined;
    },
    async endPersonSession(id) {
      await sender.send("DeleteItem", () =>
        documents.send(new DeleteCommand({ TableName: tableName, Key: accessKeys.personSession(id) })),
      );
    },
    async createNamedToken(token) {
      const fields: NamedToken = { ...token, scopes: [...token.scopes] };
      const answer = await sender.sendConditional("TransactWriteItems", () =>
        documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...accessKeys.namedToken(token.name), ...fields },
                  ConditionExpression: NOT_EXISTS,
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...accessKeys.tokenDigest(token.digest), ...fields },
                  ConditionExpression: NOT_EXISTS,
                },
              },
            ],
          }),
        ),
      );
      if ("failed" in answer) throw tokenNameTaken(token.name);
    },
    async findNamedToken(digest) {
      const item = await getDynamoDbRegistryItem<NamedTokenItem>(table, accessKeys.tokenDigest(digest));
      return item && toNamedToken(item);
    },
    async listNamedTokens() {
      const tokens: NamedToken[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const output: QueryCommandOutput = await sender.send("Query", () =>
          documents.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: "pk = :pk",
              ExpressionAttributeValues: { ":pk": accessKeys.tokenList },
              ConsistentRead: true,
              ExclusiveStartKey: start,
            }),
          ),
        );
        for (const item of output.Items ?? []) tokens.push(toNamedToken(item as NamedTokenItem));
        start = output.LastEvaluatedKey;
      } while (start);
      return tokens;
    },
    async revokeNamedToken(name) {
      const item = await getDynamoDbRegistryItem<NamedTokenItem>(table, accessKeys.namedToken(name));
      if (!item) throw tokenNotFound(name);
      // Both items go together; a concurrent revoke of the same name loses the condition: NOT_FOUND.
      const answer = await sender.sendConditional("TransactWriteItems", () =>
        documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: tableName, Key: accessKeys.namedToken(name), ConditionExpression: EXISTS } },
              { Delete: { TableName: tableName, Key: accessKeys.tokenDigest(item.digest) } },
            ],
          }),
        ),
      );
      if ("failed" in answer) throw tokenNotFound(name);
    },
  };
}
