import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

const READS = new Set([
  "GetItemCommand",
  "BatchGetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "TransactGetItemsCommand",
]);
const WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
]);

interface Capacity {
  CapacityUnits?: number;
}

/**
 * Counts the request units a table call would be billed on DynamoDB on-demand, as the store reports
 * them (`ReturnConsumedCapacity`, which dynalite computes as DynamoDB does: 1 read unit per 4 KB
 * strongly consistent, half that eventually consistent, 1 write unit per KB). Kept simple on
 * purpose: a transaction is counted once, not twice as AWS bills it; a refused conditional write
 * counts 1 write unit, as AWS bills it.
 */
export function countTableUnits(
  client: DynamoDBClient,
  record: (units: { readUnits?: number; writeUnits?: number }) => void,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "";
      const kind = READS.has(command) ? "readUnits" : WRITES.has(command) ? "writeUnits" : undefined;
      if (!kind) return next(args);
      const input = { ReturnConsumedCapacity: "TOTAL", ...(args.input as object) };
      try {
        const result = await next({ ...args, input });
        const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        record({ [kind]: units });
        return result;
      } catch (err) {
        if (kind === "writeUnits" && (err as Error).name === "ConditionalCheckFailedException")
          record({ writeUnits: 1 });
        throw err;
      }
    },
    { step: "initialize", name: "countTableUnits" },
  );
}
