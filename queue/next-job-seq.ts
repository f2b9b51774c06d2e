import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import { SEQ_KEY } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";

/** The next number of the global enqueue order (the SEQ item): a new job's seq and id. */
export async function nextJobSeq({ documents, table }: AwsJobTable): Promise<number> {
  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: SEQ_KEY,
        UpdateExpression: "ADD #value :one",
        ExpressionAttributeNames: { "#value": "value" },
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(Attributes?.value);
  } catch (err) {
    throw translateAwsError(err, `UpdateItem ${SEQ_KEY.pk} on ${table}`);
  }
}
