import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CostDetail } from "../core/environment-cost.ts";
import type { CostStore } from "./cost-store.ts";
import { registryKeys } from "./dynamodb-registry-items.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import { type DynamoDbRegistryTable, getDynamoDbRegistryItem } from "./get-dynamodb-registry-item.ts";

/** The detail's item, in the environment's partition (dynamodb-registry-items.ts). */
const detailKey = (id: string) => ({ pk: registryKeys.environmentPk(id), sk: "COST_DETAIL" });

/**
 * The figures as `costJson` on the environment item (every listing reads them with it), the detail
 * as an item of its own. The figures' write bumps `version`, so an environment write racing it reads
 * again and keeps them, and leaves `updatedAt` and the index keys alone (the listing's order).
 */
export function createDynamoDbCostStore(table: DynamoDbRegistryTable): CostStore {
  return {
    async saveCost(environmentId, cost, detail) {
      const answer = await table.sender.sendConditional("UpdateItem", () =>
        table.documents.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: registryKeys.environment(environmentId),
            UpdateExpression: "SET costJson = :cost, #version = #version + :one",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: { "#version": "version" },
            ExpressionAttributeValues: { ":cost": JSON.stringify(cost), ":one": 1 },
          }),
        ),
      );
      if ("failed" in answer) throw environmentNotFound(environmentId);
      await table.sender.send("PutItem", () =>
        table.documents.send(
          new PutCommand({
            TableName: table.tableName,
            Item: { ...detailKey(environmentId), detailJson: JSON.stringify(detail) },
          }),
        ),
      );
    },
    async readCostDetail(environmentId) {
      const item = await getDynamoDbRegistryItem<{ detailJson: string }>(table, detailKey(environmentId));
      return item ? (JSON.parse(item.detailJson) as CostDetail) : undefined;
    },
  };
}
