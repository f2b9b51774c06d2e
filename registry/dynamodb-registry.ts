import type { TableDefinition } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { createDynamoDbSender } from "../aws/create-dynamodb-sender.ts";
import { StackforkError } from "../core/errors.ts";
import { createDynamoDbAccessStore } from "./create-dynamodb-access-store.ts";
import { createDynamoDbCopyConfig } from "./create-dynamodb-copy-config.ts";
import { createDynamoDbCostStore } from "./create-dynamodb-cost-store.ts";
import { createDynamoDbDeliveries } from "./create-dynamodb-deliveries.ts";
import { createDynamoDbEngineLog } from "./create-dynamodb-engine-log.ts";
import { createDynamoDbEnvironments } from "./create-dynamodb-environments.ts";
import { createDynamoDbHistory } from "./create-dynamodb-history.ts";
import { createDynamoDbSessions } from "./create-dynamodb-sessions.ts";
import { environmentIndexes } from "./dynamodb-registry-items.ts";
import type { DynamoDbRegistryTable } from "./get-dynamodb-registry-item.ts";
import type { Registry } from "./registry.ts";
import { type RegistryLimitOptions, resolveRegistryLimits } from "./resolve-registry-limits.ts";

export interface DynamoDbRegistryOptions extends RegistryLimitOptions {
  /** Shared with the other AWS adapters: the registry never destroys them. */
  clients: Pick<AwsClients, "documents">;
  /** `defineAwsResources(prefix).registryTable`: its indexes are the ones documented in dynamodb-registry-items.ts. */
  table: TableDefinition;
}

/**
 * The registry on AWS: one DynamoDB table (item shapes and indexes in dynamodb-registry-items.ts),
 * the same behaviour as the SQLite adapter (one contract suite). Every list is a Query on an index,
 * never a Scan; counts are kept, not counted.
 */
export function createDynamoDbRegistry(options: DynamoDbRegistryOptions): Registry {
  const { maxLogLinesPerJob, deliveryRetainHours, problems } = resolveRegistryLimits(options);
  problems.push(...findTableProblems(options.table));
  if (problems.length > 0) {
    throw new StackforkError("CONFIG_INVALID", `the DynamoDB registry: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
  const tableName = options.table.name;
  const table: DynamoDbRegistryTable = {
    documents: options.clients.documents,
    tableName,
    sender: createDynamoDbSender(tableName),
  };

  return {
    ...createDynamoDbEnvironments(table),
    ...createDynamoDbHistory(table, deliveryRetainHours),
    ...createDynamoDbEngineLog(table, maxLogLinesPerJob),
    ...createDynamoDbDeliveries(table, deliveryRetainHours),
    ...createDynamoDbSessions(table),
    ...createDynamoDbCopyConfig(table),
    ...createDynamoDbAccessStore(table),
    ...createDynamoDbCostStore(table),
    // The clients belong to the caller (shared with the job queue): nothing of the registry's own to close.
    close: async () => {},
  };
}

/** The item kinds and indexes of dynamodb-registry-items.ts must exist in the table definition. */
function findTableProblems(table: TableDefinition): string[] {
  const problems: string[] = [];
  if (table.hashKey !== "pk" || table.rangeKey !== "sk") problems.push(`table ${table.name} must be keyed pk, sk`);
  for (const index of Object.values(environmentIndexes)) {
    const found = table.globalSecondaryIndexes.find((gsi) => gsi.name === index.name);
    if (found?.hashKey !== index.pk || found.rangeKey !== index.sk || found.projectionType !== "ALL") {
      problems.push(`table ${table.name} needs index ${index.name} on (${index.pk}, ${index.sk}), projecting ALL`);
    }
  }
  if (table.ttlAttribute !== "ttl") problems.push(`table ${table.name} must expire items by its ttl attribute`);
  return problems;
}
