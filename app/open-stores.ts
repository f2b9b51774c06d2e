import path from "node:path";
import { defineAwsResources } from "../aws/aws-resources.ts";
import { createStoreClients } from "../aws/create-store-clients.ts";
import type { StackforkConfig } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import { createAwsJobQueue } from "../queue/aws-job-queue.ts";
import { createWakeReceiver } from "../queue/create-wake-receiver.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { createDynamoDbReconciliationStore } from "../reconciliation/dynamodb-reconciliation-store.ts";
import type { ReconciliationStore } from "../reconciliation/reconciliation-store.ts";
import { createDynamoDbRegistry } from "../registry/dynamodb-registry.ts";
import type { Registry } from "../registry/registry.ts";

export interface Stores {
  registry: Registry;
  queue: JobQueue;
  /** What reconciliations with GitHub remember between runs (ETags, baselines, redeliveries asked). */
  reconciliation: ReconciliationStore;
  /** `aws` only: where wakes come from, and the sweep that re-sends lost ones. */
  wakes?: {
    receiver: ReturnType<typeof createWakeReceiver>;
    rewakeStalled: (now: Date) => Promise<number>;
  };
  /** What the store is, for the start-up banner. */
  describe: string;
  close(): Promise<void>;
}

/**
 * The registry, the job queue and the reconciliation store of STACKFORK_STORE: SQLite files in the
 * data dir, or DynamoDB and SQS FIFO (tables and queues named by STACKFORK_AWS_PREFIX, created by
 * `stackfork aws bootstrap` or the platform program; the reconciliation store in the registry's table). Every entry point opens them here, so none can wire them differently.
 */
export async function openStores(config: StackforkConfig, log: Logger): Promise<Stores> {
  if (config.store === "sqlite") {
    // Loaded only here: the Lambda bundles leave SQLite (a native module) out.
    const { createSqliteRegistry } = await import("../registry/sqlite-registry.ts");
    const { createSqliteJobQueue } = await import("../queue/sqlite-job-queue.ts");
    const { createSqliteReconciliationStore } = await import("../reconciliation/sqlite-reconciliation-store.ts");
    const registry = createSqliteRegistry({ file: path.join(config.dataDir, "registry.db") });
    const queue = createSqliteJobQueue({ file: path.join(config.dataDir, "queue.db") });
    const reconciliation = createSqliteReconciliationStore({ file: path.join(config.dataDir, "reconciliation.db") });
    return {
      registry,
      queue,
      reconciliation,
      describe: `sqlite (${config.dataDir})`,
      async close() {
        await reconciliation.close();
        await queue.close();
        await registry.close();
      },
    };
  }
  const clients = createStoreClients();
  const resources = defineAwsResources(config.awsPrefix);
  const registry = createDynamoDbRegistry({ clients, table: resources.registryTable });
  const queue = createAwsJobQueue({
    clients,
    resources,
    log: log.child({ component: "queue" }),
    now: () => new Date(),
  });
  const reconciliation = createDynamoDbReconciliationStore({ clients, table: resources.registryTable });
  return {
    registry,
    queue,
    reconciliation,
    wakes: {
      receiver: createWakeReceiver({ clients, queue: resources.wakeQueue }),
      rewakeStalled: (now) => queue.rewakeStalled(now),
    },
    describe: `aws (tables ${resources.registryTable.name}, ${resources.jobsTable.name}; queue ${resources.wakeQueue.name})`,
    async close() {
      await reconciliation.close();
      await queue.close();
      await registry.close();
      clients.destroy();
    },
  };
}
