import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { type RevokedSessionItem, registryKeys } from "./dynamodb-registry-items.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import { type DynamoDbRegistryTable, getDynamoDbRegistryItem } from "./get-dynamodb-registry-item.ts";
import { isRevocationInForce } from "./is-revocation-in-force.ts";
import type { Registry } from "./registry.ts";

/** One item per revoked session, expiring by TTL with the session; reads check `expiresAt` itself. */
export function createDynamoDbSessions(
  table: DynamoDbRegistryTable,
): Pick<Registry, "revokeSession" | "isSessionRevoked"> {
  return {
    revokeSession: async (sessionId, expiresAt) => {
      await table.sender.send("PutItem", () =>
        table.documents.send(
          new PutCommand({
            TableName: table.tableName,
            Item: {
              ...registryKeys.revokedSession(sessionId),
              expiresAt: expiresAt.getTime(),
              ttl: epochSeconds(expiresAt.getTime()),
            },
          }),
        ),
      );
    },
    isSessionRevoked: async (sessionId, now) => {
      const item = await getDynamoDbRegistryItem<RevokedSessionItem>(table, registryKeys.revokedSession(sessionId));
      return isRevocationInForce(item?.expiresAt, now);
    },
  };
}
