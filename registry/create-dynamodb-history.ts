import { PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { queryDynamoDbPartition } from "../aws/query-dynamodb-partition.ts";
import type { HistoryEvent, NewHistoryEvent } from "../core/history-event.ts";
import { compactHistoryEvent } from "./compact-history-event.ts";
import { deliveryRetentionBounds } from "./delivery-retention-bounds.ts";
import { type HistoryEventItem, registryKeys } from "./dynamodb-registry-items.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import type { DynamoDbRegistryTable } from "./get-dynamodb-registry-item.ts";
import type { Registry } from "./registry.ts";
import { requirePositiveInteger } from "./require-positive-integer.ts";
import { takeDynamoDbSequence } from "./take-dynamodb-sequence.ts";

/** The audit trail of the DynamoDB registry: an item per event, numbered per environment. */
export function createDynamoDbHistory(
  table: DynamoDbRegistryTable,
  deliveryRetainHours: number,
): Pick<Registry, "appendEvent" | "listEvents"> {
  const { documents, tableName: TableName, sender } = table;

  async function appendEvent(event: NewHistoryEvent): Promise<HistoryEvent> {
    // Numbered per environment: ids only ever order one environment's trail.
    const id = await takeDynamoDbSequence(table, event.environmentId, "eventSeq", 1);
    const stored = compactHistoryEvent({ ...event, id });
    const put = { TableName, Item: { ...registryKeys.event(stored.environmentId, stored.id), ...stored } };
    const { deliveryId } = stored;
    if (deliveryId === undefined) {
      await sender.send("PutItem", () => documents.send(new PutCommand(put)));
      return stored;
    }
    // The event and its delivery's trace together: a delivery that left an event is never taken again as lost.
    await sender.send("TransactWriteItems", () =>
      documents.send(
        new TransactWriteCommand({ TransactItems: [{ Put: put }, { Update: traceDelivery(deliveryId, stored.at) }] }),
      ),
    );
    return stored;
  }

  /** Marks a delivery as traced; the item expires as remembered, or `deliveryRetainHours` after the event. */
  function traceDelivery(deliveryId: string, at: string) {
    const eventMs = Date.parse(at);
    const ttl = Number.isFinite(eventMs)
      ? epochSeconds(deliveryRetentionBounds(new Date(eventMs), deliveryRetainHours).keptUntil)
      : undefined;
    return {
      TableName,
      Key: registryKeys.delivery(deliveryId),
      UpdateExpression: `SET #traced = :true${ttl === undefined ? "" : ", #ttl = if_not_exists(#ttl, :ttl)"}`,
      ExpressionAttributeNames: { "#traced": "traced", ...(ttl !== undefined && { "#ttl": "ttl" }) },
      ExpressionAttributeValues: { ":true": true, ...(ttl !== undefined && { ":ttl": ttl }) },
    };
  }

  async function listEvents(environmentId: string, options: { limit?: number } = {}): Promise<HistoryEvent[]> {
    if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
    // The newest `limit` events, read backwards, returned oldest first: the tail of the audit trail.
    const items = await queryDynamoDbPartition<HistoryEventItem>(table, {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": registryKeys.environmentPk(environmentId),
        ":prefix": registryKeys.eventPrefix,
      },
      ScanIndexForward: options.limit === undefined,
      limit: options.limit,
    });
    const events = items.map(compactHistoryEvent);
    return options.limit === undefined ? events : events.reverse();
  }

  return { appendEvent, listEvents };
}
