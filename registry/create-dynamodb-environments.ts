import { PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import {
  type Environment,
  type EnvironmentIdentity,
  type EnvironmentStatus,
  formatIdentityKey,
} from "../core/environment.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { StackforkError } from "../core/errors.ts";
import { applyEnvironmentPatch } from "./apply-environment-patch.ts";
import { dynamoDbCountsUpdate } from "./dynamodb-counts-update.ts";
import {
  type EnvironmentItem,
  NOT_EXISTS,
  registryKeys,
  toEnvironment,
  toEnvironmentItem,
} from "./dynamodb-registry-items.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import { type DynamoDbRegistryTable, getDynamoDbRegistryItem } from "./get-dynamodb-registry-item.ts";
import { listDynamoDbEnvironments } from "./list-dynamodb-environments.ts";
import { newEnvironment } from "./new-environment.ts";
import type { EnvironmentPatch, Registry } from "./registry.ts";

/** Optimistic writes of an environment read again and retry this often when they lose a race. */
const RACE_ATTEMPTS = 8;

export type EnvironmentMethods =
  | "ensureEnvironment"
  | "getEnvironment"
  | "findEnvironment"
  | "listEnvironments"
  | "countByStatus"
  | "updateEnvironment";

/** The environments of the DynamoDB registry: an item each, an identity item, and the counts by status. */
export function createDynamoDbEnvironments(table: DynamoDbRegistryTable): Pick<Registry, EnvironmentMethods> {
  const { documents, tableName: TableName, sender } = table;
  const { sendConditional } = sender;

  async function getEnvironment(id: string): Promise<Environment | undefined> {
    const item = await getDynamoDbRegistryItem<EnvironmentItem>(table, registryKeys.environment(id));
    return item && toEnvironment(item);
  }

  async function findEnvironment(identity: EnvironmentIdentity): Promise<Environment | undefined> {
    const key = registryKeys.identity(formatIdentityKey(identity));
    const link = await getDynamoDbRegistryItem<{ environmentId: string }>(table, key);
    return link && getEnvironment(link.environmentId);
  }

  /**
   * Creation is one transaction: the environment item (whose key is its name, so it also claims the
   * name), the identity item (one environment per identity), its sequences, and the counts.
   */
  async function ensureEnvironment(
    identity: EnvironmentIdentity,
    init: { status: EnvironmentStatus; now: Date; nameMaxLength?: number },
  ): Promise<Environment> {
    const identityKey = formatIdentityKey(identity);
    for (let round = 0; round < RACE_ATTEMPTS; round++) {
      const existing = await findEnvironment(identity);
      if (existing) return existing;
      let raced = false;
      // The plain name may belong to another identity (a branch literally named like a hashed name).
      for (const forceHash of [false, true]) {
        const name = nameEnvironment(identity, { maxLength: init.nameMaxLength, forceHash });
        if (await getDynamoDbRegistryItem(table, registryKeys.environment(name))) continue;
        const environment = newEnvironment(identity, name, init.status, init.now);
        const answer = await sendConditional("TransactWriteItems", () =>
          documents.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName, Item: toEnvironmentItem(environment, 1), ConditionExpression: NOT_EXISTS } },
                {
                  Put: {
                    TableName,
                    Item: { ...registryKeys.identity(identityKey), environmentId: environment.id },
                    ConditionExpression: NOT_EXISTS,
                  },
                },
                {
                  Put: {
                    TableName,
                    Item: { ...registryKeys.sequences(environment.id), eventSeq: 0, logSeq: 0 },
                    ConditionExpression: NOT_EXISTS,
                  },
                },
                { Update: dynamoDbCountsUpdate(TableName, { [environment.status]: 1 }) },
              ],
            }),
          ),
        );
        if ("done" in answer) return environment;
        // The identity was created meanwhile (or no reasons were given): the next round reads it.
        if (answer.failed[0] !== "ConditionalCheckFailed" || answer.failed[1] === "ConditionalCheckFailed") {
          raced = true;
          break;
        }
        // Only the name was taken meanwhile: try the next one.
      }
      if (!raced) break;
    }
    throw new StackforkError("NAME_TAKEN", `no free name for ${identityKey}`, { details: { identity: identityKey } });
  }

  /**
   * Read, check, write back on the version read. A status change moves one count in the same
   * transaction, so the counts never drift from the environments.
   */
  async function updateEnvironment(id: string, patch: EnvironmentPatch, now: Date): Promise<Environment> {
    for (let attempt = 1; attempt <= RACE_ATTEMPTS; attempt++) {
      const item = await getDynamoDbRegistryItem<EnvironmentItem>(table, registryKeys.environment(id));
      if (!item) throw environmentNotFound(id);
      const current = toEnvironment(item);
      const next = applyEnvironmentPatch(current, patch, now);
      const put = {
        TableName,
        Item: toEnvironmentItem(next, item.version + 1),
        ConditionExpression: "#version = :version",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":version": item.version },
      };
      const answer =
        current.status === next.status
          ? await sendConditional("PutItem", () => documents.send(new PutCommand(put)))
          : await sendConditional("TransactWriteItems", () =>
              documents.send(
                new TransactWriteCommand({
                  TransactItems: [
                    { Put: put },
                    { Update: dynamoDbCountsUpdate(TableName, { [current.status]: -1, [next.status]: 1 }) },
                  ],
                }),
              ),
            );
      if ("done" in answer) return next;
    }
    throw new StackforkError("AWS_REQUEST_FAILED", `environment ${id} kept changing under the update`, {
      details: { id },
    });
  }

  async function countByStatus(): Promise<Partial<Record<EnvironmentStatus, number>>> {
    const item = await getDynamoDbRegistryItem<Record<string, unknown>>(table, registryKeys.counts());
    const counts: Partial<Record<EnvironmentStatus, number>> = {};
    for (const [status, count] of Object.entries(item ?? {})) {
      if (typeof count === "number" && count > 0) counts[status as EnvironmentStatus] = count;
    }
    return counts;
  }

  return {
    ensureEnvironment,
    getEnvironment,
    findEnvironment,
    listEnvironments: (query = {}) => listDynamoDbEnvironments(table, query),
    countByStatus,
    updateEnvironment,
  };
}
