import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { EXISTS, registryKeys } from "./dynamodb-registry-items.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import type { DynamoDbRegistryTable } from "./get-dynamodb-registry-item.ts";

/** The last of `count` new numbers of an environment's sequence (one atomic ADD); NOT_FOUND for an unknown environment. */
export async function takeDynamoDbSequence(
  { documents, tableName, sender }: DynamoDbRegistryTable,
  environmentId: string,
  sequence: "eventSeq" | "logSeq",
  count: number,
): Promise<number> {
  const answer = await sender.sendConditional("UpdateItem", () =>
    documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: registryKeys.sequences(environmentId),
        UpdateExpression: "ADD #sequence :count",
        ConditionExpression: EXISTS,
        ExpressionAttributeNames: { "#sequence": sequence },
        ExpressionAttributeValues: { ":count": count },
        ReturnValues: "UPDATED_NEW",
      }),
    ),
  );
  if ("failed" in answer) throw environmentNotFound(environmentId);
  return Number(answer.done.Attributes?.[sequence]);
}
