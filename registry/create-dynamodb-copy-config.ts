import { DeleteCommand, PutCommand, QueryCommand, type QueryCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { ConfigEntry, ConfigOverride } from "../core/config-entry.ts";
import type { CopyConfigStore } from "./copy-config-store.ts";
import { registryKeys } from "./dynamodb-registry-items.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import { type DynamoDbRegistryTable, getDynamoDbRegistryItem } from "./get-dynamodb-registry-item.ts";

const OVERRIDE_PREFIX = "CONFIG#";
/** Items of an environment's partition (dynamodb-registry-items.ts): one per override key, one for the effective config. */
const keys = {
  override: (id: string, key: string) => ({ pk: registryKeys.environmentPk(id), sk: `${OVERRIDE_PREFIX}${key}` }),
  effective: (id: string) => ({ pk: registryKeys.environmentPk(id), sk: "EFFECTIVE_CONFIG" }),
};

export function createDynamoDbCopyConfig(table: DynamoDbRegistryTable): CopyConfigStore {
  const requireEnvironment = async (id: string) => {
    if (!(await getDynamoDbRegistryItem(table, registryKeys.environment(id)))) throw environmentNotFound(id);
  };
  const put = (item: Record<string, unknown>) =>
    table.sender.send("PutItem", () =>
      table.documents.send(new PutCommand({ TableName: table.tableName, Item: item })),
    );
  return {
    async putConfigOverride(environmentId, { key, value, secret }, now) {
      await requireEnvironment(environmentId);
      await put({ ...keys.override(environmentId, key), key, value, secret, updatedAt: now.toISOString() });
    },
    async deleteConfigOverride(environmentId, key) {
      await table.sender.send("DeleteItem", () =>
        table.documents.send(new DeleteCommand({ TableName: table.tableName, Key: keys.override(environmentId, key) })),
      );
    },
    async listConfigOverrides(environmentId) {
      const overrides: ConfigOverride[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const output: QueryCommandOutput = await table.sender.send("Query", () =>
          table.documents.send(
            new QueryCommand({
              TableName: table.tableName,
              KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
              ExpressionAttributeValues: {
                ":pk": registryKeys.environmentPk(environmentId),
                ":prefix": OVERRIDE_PREFIX,
              },
              ConsistentRead: true,
              ExclusiveStartKey: start,
            }),
          ),
        );
        for (const item of output.Items ?? []) {
          overrides.push({ key: String(item.key), value: String(item.value), secret: item.secret === true });
        }
        start = output.LastEvaluatedKey;
      } while (start);
      return overrides.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async saveEffectiveConfig(environmentId, entries, now) {
      await requireEnvironment(environmentId);
      // JSON, as outputs are: a list of entries comes back exactly as given.
      await put({
        ...keys.effective(environmentId),
        entriesJson: JSON.stringify(entries),
        updatedAt: now.toISOString(),
      });
    },
    async readEffectiveConfig(environmentId) {
      const item = await getDynamoDbRegistryItem<{ entriesJson: string }>(table, keys.effective(environmentId));
      return item ? (JSON.parse(item.entriesJson) as ConfigEntry[]) : undefined;
    },
  };
}
