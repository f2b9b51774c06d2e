/**
 * The one definition of every table and queue stackfork names. `stackfork aws bootstrap` creates
 * them from this (for an emulator or a first hand-made setup) and the platform program
 * (platform/index.ts) declares them from it, so the two can never disagree. Shapes follow
 * DynamoDB's and SQS's own vocabulary, which maps one to one onto both the SDK's CreateTable /
 * CreateQueue inputs and @pulumi/aws's arguments.
 */
export interface TableDefinition {
  name: string;
  hashKey: string;
  rangeKey: string;
  /** Every key attribute of the table and its indexes (DynamoDB declares only those). */
  attributes: { name: string; type: "S" | "N" }[];
  globalSecondaryIndexes: { name: string; hashKey: string; rangeKey: string; projectionType: "ALL" }[];
  /** Epoch seconds; DynamoDB deletes expired items late (up to days), so readers check it too. */
  ttlAttribute?: string;
}

export interface QueueDefinition {
  /** FIFO queues' names end in `.fifo`. */
  name: string;
  fifo: true;
  /** Wakes are deduplicated by id (job id + attempt), never by content. */
  contentBasedDeduplication: false;
  /** Must be at least the worker Lambda's timeout: Lambda refuses an event source mapping otherwise. */
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  /** Moved to the dead-letter queue after this many receives. */
  maxReceiveCount?: number;
}

export interface AwsResources {
  registryTable: TableDefinition;
  jobsTable: TableDefinition;
  wakeQueue: QueueDefinition;
  deadLetterQueue: QueueDefinition;
}

/** The worker Lambda's timeout: Lambda's hard limit of 15 minutes. */
export const WORKER_TIMEOUT_SECONDS = 900;

/** Table and queue names are `<prefix>-...`; a prefix fits the shortest limit (SQS: 80 with `.fifo`). */
export const PREFIX_PATTERN = /^[a-zA-Z0-9_-]{1,40}$/;

const twoIndexes = (): TableDefinition["globalSecondaryIndexes"] => [
  { name: "gsi1", hashKey: "gsi1pk", rangeKey: "gsi1sk", projectionType: "ALL" },
  { name: "gsi2", hashKey: "gsi2pk", rangeKey: "gsi2sk", projectionType: "ALL" },
];
const keyAttributes = (): TableDefinition["attributes"] =>
  ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"].map((name) => ({ name, type: "S" as const }));

export function defineAwsResources(prefix: string): AwsResources {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`STACKFORK_AWS_PREFIX must match ${PREFIX_PATTERN}: got ${JSON.stringify(prefix)}`);
  }
  return {
    // Environments, their history and engine log, names, delivery ids: one table, items told
    // apart by key prefix (registry/dynamodb-registry.ts documents the item shapes).
    registryTable: {
      name: `${prefix}-registry`,
      hashKey: "pk",
      rangeKey: "sk",
      attributes: [...keyAttributes(), { name: "gsi3pk", type: "S" }, { name: "gsi3sk", type: "S" }],
      // Environments by update, newest first: gsi1 all of them, gsi2 per repository, gsi3 the ones
      // not destroyed (sparse: the default listing). registry/dynamodb-registry-items.ts says why.
      globalSecondaryIndexes: [
        ...twoIndexes(),
        { name: "gsi3", hashKey: "gsi3pk", rangeKey: "gsi3sk", projectionType: "ALL" },
      ],
      ttlAttribute: "ttl",
    },
    // Jobs: the truth of the queue (queue/aws-job-item.ts documents the item shapes). One sparse
    // index, of the environments with jobs by when their first job can be claimed: every index an
    // item is in is written again on every write of the item (projection ALL), so no second one.
    jobsTable: {
      name: `${prefix}-jobs`,
      hashKey: "pk",
      rangeKey: "sk",
      attributes: ["pk", "sk", "gsi1pk", "gsi1sk"].map((name) => ({ name, type: "S" as const })),
      globalSecondaryIndexes: [{ name: "gsi1", hashKey: "gsi1pk", rangeKey: "gsi1sk", projectionType: "ALL" }],
      ttlAttribute: "ttl",
    },
    // "This environment may have work": MessageGroupId = environment id. Visibility a minute above
    // the worker's timeout, so a message is never handed out twice while its invocation still runs.
    wakeQueue: {
      name: `${prefix}-wake.fifo`,
      fifo: true,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: WORKER_TIMEOUT_SECONDS + 60,
      messageRetentionSeconds: 4 * 86_400,
      maxReceiveCount: 5,
    },
    deadLetterQueue: {
      name: `${prefix}-wake-dlq.fifo`,
      fifo: true,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 14 * 86_400,
    },
  };
}
