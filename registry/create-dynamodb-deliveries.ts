import { TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { deliveryRetentionBounds } from "./delivery-retention-bounds.ts";
import { EXISTS, registryKeys } from "./dynamodb-registry-items.ts";
import { epochSeconds } from "./epoch-seconds.ts";
import type { DynamoDbRegistryTable } from "./get-dynamodb-registry-item.ts";
import type { DeliveryMemory, Registry } from "./registry.ts";

/** The delivery ids and signatures the DynamoDB registry remembers (see Registry.rememberDelivery): an item each. */
export function createDynamoDbDeliveries(
  { documents, tableName: TableName, sender }: DynamoDbRegistryTable,
  deliveryRetainHours: number,
): Pick<Registry, "rememberDelivery" | "forgetDelivery"> {
  /**
   * A delivery id is new when unseen, expired (DynamoDB's TTL deletes late, so the condition checks
   * seenAt itself), or seen long enough ago with no history event carrying it (its handler died).
   * With a signature, one transaction also binds it to the id: both are taken, or neither.
   */
  async function rememberDelivery(
    deliveryId: string,
    now: Date,
    options: { signatureDigest?: string } = {},
  ): Promise<DeliveryMemory> {
    const { keptUntil, expiredBefore, abandonedBefore } = deliveryRetentionBounds(now, deliveryRetainHours);
    const values = { ":now": now.getTime(), ":ttl": epochSeconds(keptUntil), ":expiredBefore": expiredBefore };
    const delivery = {
      TableName,
      Key: registryKeys.delivery(deliveryId),
      UpdateExpression: "SET #seenAt = :now, #ttl = :ttl",
      ConditionExpression:
        "attribute_not_exists(#seenAt) OR #seenAt < :expiredBefore OR (#seenAt < :abandonedBefore AND attribute_not_exists(#traced))",
      ExpressionAttributeNames: { "#seenAt": "seenAt", "#ttl": "ttl", "#traced": "traced" },
      ExpressionAttributeValues: { ...values, ":abandonedBefore": abandonedBefore },
    };
    const { signatureDigest } = options;
    if (signatureDigest === undefined) {
      const answer = await sender.sendConditional("UpdateItem", () => documents.send(new UpdateCommand(delivery)));
      return "done" in answer ? "new" : "replayed";
    }
    const signature = {
      TableName,
      Key: registryKeys.signature(signatureDigest),
      UpdateExpression: "SET #seenAt = :now, #ttl = :ttl, #deliveryId = :deliveryId",
      ConditionExpression: "attribute_not_exists(#seenAt) OR #seenAt < :expiredBefore OR #deliveryId = :deliveryId",
      ExpressionAttributeNames: { "#seenAt": "seenAt", "#ttl": "ttl", "#deliveryId": "deliveryId" },
      ExpressionAttributeValues: { ...values, ":deliveryId": deliveryId },
    };
    const answer = await sender.sendConditional("TransactWriteItems", () =>
      documents.send(new TransactWriteCommand({ TransactItems: [{ Update: signature }, { Update: delivery }] })),
    );
    if ("done" in answer) return "new";
    // One reason per item, in order: the signature's condition first.
    return answer.failed[0] === "ConditionalCheckFailed" ? "signature_replayed" : "replayed";
  }

  /** Keeps the item's trace (the history events still carry the id) and TTL; only `seenAt` goes. */
  async function forgetDelivery(deliveryId: string): Promise<void> {
    await sender.sendConditional("UpdateItem", () =>
      documents.send(
        new UpdateCommand({
          TableName,
          Key: registryKeys.delivery(deliveryId),
          UpdateExpression: "REMOVE #seenAt",
          ConditionExpression: EXISTS,
          ExpressionAttributeNames: { "#seenAt": "seenAt" },
        }),
      ),
    );
  }

  return { rememberDelivery, forgetDelivery };
}
