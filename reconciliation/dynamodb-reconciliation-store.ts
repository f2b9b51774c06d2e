import { brotliCompressSync, brotliDecompressSync, constants as zlib } from "node:zlib";
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TableDefinition } from "../aws/aws-resources.ts";
import type { AwsClients } from "../aws/create-aws-clients.ts";
import { createDynamoDbSender } from "../aws/create-dynamodb-sender.ts";
import { StackforkError } from "../core/errors.ts";
import type { DeliveryCheck, ReconciliationStore, RepositoryReconciliation } from "./reconciliation-store.ts";

export interface DynamoDbReconciliationStoreOptions {
  /** Shared with the other AWS adapters: the store never destroys them. */
  clients: Pick<AwsClients, "documents">;
  /** `defineAwsResources(prefix).registryTable`: its items live beside the registry's, under keys of their own. */
  table: TableDefinition;
}

/*
 * Items in the registry table (registry/dynamodb-registry-items.ts documents the registry's own), none
 * with index keys, so no listing of environments ever reads through them:
 *
 * | item                      | pk                                 | sk         | attributes                                  |
 * |---------------------------|------------------------------------|------------|---------------------------------------------|
 * | repository reconciliation | RECONCILE#<lowercase owner/name>   | STATE      | repository, record (Brotli-compressed JSON) |
 * | deliveries check          | RECONCILE-HOOK#<hook>              | DELIVERIES | hook, check (JSON)                          |
 * | directory                 | RECONCILE                          | DIRECTORY  | repositories, hooks: string sets of the keys |
 *
 * The directory lets the lists be two reads (a GetItem, a BatchGetItem) instead of a Scan of a table
 * that holds every environment's history and log.
 */
const keys = {
  repository: (repository: string) => ({ pk: `RECONCILE#${repository.toLowerCase()}`, sk: "STATE" }),
  hook: (hook: string) => ({ pk: `RECONCILE-HOOK#${hook}`, sk: "DELIVERIES" }),
  directory: () => ({ pk: "RECONCILE", sk: "DIRECTORY" }),
};

/**
 * An item is at most 400 KB, key and attribute names included; a record's pages and baseline repeat
 * every branch's SHA, which Brotli keeps once (5,000 branches: ~880 KB of JSON, ~160 KB stored).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
 */
const MAX_RECORD_BYTES = 380_000;
/** Quality 6: within a fifth of the best size, at a fiftieth of its time. */
const BROTLI = { params: { [zlib.BROTLI_PARAM_QUALITY]: 6 } };
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_SIZE = 100;
const UNPROCESSED_ATTEMPTS = 8;

interface RepositoryItem {
  repository: string;
  record: Uint8Array;
}
interface HookItem {
  hook: string;
  check: string;
}
interface DirectoryItem {
  repositories?: Set<string>;
  hooks?: Set<string>;
}

/**
 * The reconciliation store on AWS, in the registry's table: the same behaviour as the SQLite adapter
 * (one contract suite). A record too large for one item first loses its pages' ETags (the next run
 * reads the lists whole, unconditionally: slower, never wrong); only a baseline too large on its own
 * (tens of thousands of branches) is refused.
 */
export function createDynamoDbReconciliationStore(options: DynamoDbReconciliationStoreOptions): ReconciliationStore {
  const { documents } = options.clients;
  const TableName = options.table.name;
  const { send } = createDynamoDbSender(TableName);

  async function getItem<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const output = await send("GetItem", () =>
      documents.send(new GetCommand({ TableName, Key: key, ConsistentRead: true })),
    );
    return output.Item as T | undefined;
  }

  /** Every item of `keyList` that exists, in no particular order. */
  async function getItems<T>(keyList: { pk: string; sk: string }[]): Promise<T[]> {
    const items: T[] = [];
    for (let i = 0; i < keyList.length; i += BATCH_GET_SIZE) {
      let pending: Record<string, unknown>[] = keyList.slice(i, i + BATCH_GET_SIZE);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_ATTEMPTS) {
          throw new StackforkError("AWS_THROTTLED", `BatchGetItem on ${TableName}: keys left unprocessed`, {
            details: { unprocessed: pending.length },
          });
        }
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * Math.random()));
        const keysNow = pending;
        const output = await send("BatchGetItem", () =>
          documents.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keysNow, ConsistentRead: true } } }),
          ),
        );
        items.push(...((output.Responses?.[TableName] ?? []) as T[]));
        // Unprocessed when the answer would pass 16 MB, or under throttling.
        pending = output.UnprocessedKeys?.[TableName]?.Keys ?? [];
      }
    }
    return items;
  }

  async function addToDirectory(attribute: "repositories" | "hooks", key: string): Promise<void> {
    await send("UpdateItem", () =>
      documents.send(
        new UpdateCommand({
          TableName,
          Key: keys.directory(),
          UpdateExpression: "ADD #set :key",
          ExpressionAttributeNames: { "#set": attribute },
          ExpressionAttributeValues: { ":key": new Set([key]) },
        }),
      ),
    );
  }

  async function readDirectory(): Promise<DirectoryItem> {
    return (await getItem<DirectoryItem>(keys.directory())) ?? {};
  }

  return {
    async getRepository(repository) {
      const item = await getItem<RepositoryItem>(keys.repository(repository));
      return item && decodeRecord(item.record);
    },
    async saveRepository(record) {
      const key = record.repository.toLowerCase();
      const encoded = encodeRecord(record);
      // Listed first: a listed key whose item is missing is skipped, an item never listed would be lost.
      await addToDirectory("repositories", key);
      await send("PutItem", () =>
        documents.send(
          new PutCommand({
            TableName,
            Item: { ...keys.repository(key), repository: record.repository, record: encoded },
          }),
        ),
      );
    },
    async listRepositories() {
      const listed = [...((await readDirectory()).repositories ?? [])];
      const items = await getItems<RepositoryItem>(listed.map(keys.repository));
      return items
        .map((item) => ({ key: item.repository.toLowerCase(), record: decodeRecord(item.record) }))
        .sort((a, b) => compare(a.key, b.key))
        .map((entry) => entry.record);
    },
    async getDeliveryCheck(hook) {
      const item = await getItem<HookItem>(keys.hook(hook));
      return item && (JSON.parse(item.check) as DeliveryCheck);
    },
    async saveDeliveryCheck(check) {
      await addToDirectory("hooks", check.hook);
      await send("PutItem", () =>
        documents.send(
          new PutCommand({
            TableName,
            Item: { ...keys.hook(check.hook), hook: check.hook, check: JSON.stringify(check) },
          }),
        ),
      );
    },
    async listDeliveryChecks() {
      const listed = [...((await readDirectory()).hooks ?? [])];
      const items = await getItems<HookItem>(listed.map(keys.hook));
      return items.sort((a, b) => compare(a.hook, b.hook)).map((item) => JSON.parse(item.check) as DeliveryCheck);
    },
    async close() {
      // The clients are shared: whoever created them destroys them.
    },
  };
}

function encodeRecord(record: RepositoryReconciliation): Uint8Array {
  const whole = brotliCompressSync(JSON.stringify(record), BROTLI);
  if (whole.byteLength <= MAX_RECORD_BYTES) return whole;
  const withoutPages = brotliCompressSync(JSON.stringify({ ...record, branchPages: [], pullPages: [] }), BROTLI);
  if (withoutPages.byteLength <= MAX_RECORD_BYTES) return withoutPages;
  throw new StackforkError(
    "AWS_REQUEST_FAILED",
    `the reconciliation of ${record.repository} is too large for one DynamoDB item (${withoutPages.byteLength} bytes compressed, without its pages)`,
    { details: { repository: record.repository, bytes: withoutPages.byteLength } },
  );
}

function decodeRecord(bytes: Uint8Array): RepositoryReconciliation {
  return JSON.parse(brotliDecompressSync(bytes).toString("utf8")) as RepositoryReconciliation;
}

/** Binary order, as SQLite's ORDER BY on TEXT. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
