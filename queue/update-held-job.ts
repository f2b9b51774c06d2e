import { randomUUID } from "node:crypto";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isConditionFailed, translateAwsError } from "../aws/translate-aws-error.ts";
import { parseJobId } from "./aws-job-id.ts";
import { type EnvironmentItem, environmentKey } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";
import { leaseLost } from "./lease-lost.ts";

const NAMES = {
  "#jobs": "jobs",
  "#state": "state",
  "#version": "version",
  "#writeId": "writeId",
  "#leaseOwner": "leaseOwner",
  "#leaseExpiresAt": "leaseExpiresAt",
  "#claimableAt": "claimableAt",
  "#gsi1sk": "gsi1sk",
  "#seq": "seq",
};
const HELD_BY = "#jobs[0].#seq = :seq AND #jobs[0].#state = :running AND #jobs[0].#leaseOwner = :owner";

/** An update of the first job, on condition that `owner` holds it; LEASE_LOST otherwise. */
export async function updateHeldJob(
  { documents, table }: AwsJobTable,
  jobId: string,
  owner: string,
  update: { expression: string; values: Record<string, unknown> },
): Promise<{ item: EnvironmentItem; environmentId: string }> {
  const ref = parseJobId(jobId);
  if (!ref) throw leaseLost(jobId, owner);
  const writeId = randomUUID();
  const expression = update.expression.replace(/^SET /, "SET #version = #version + :one, #writeId = :writeId, ");
  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: environmentKey(ref.environmentId),
        ConditionExpression: HELD_BY,
        UpdateExpression: expression,
        // DynamoDB refuses names an expression does not use.
        ExpressionAttributeNames: Object.fromEntries(
          Object.entries(NAMES).filter(([name]) => `${HELD_BY} ${expression}`.includes(name)),
        ),
        ExpressionAttributeValues: {
          ":seq": ref.seq,
          ":running": "running",
          ":owner": owner,
          ":one": 1,
          ":writeId": writeId,
          ...update.values,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return { item: Attributes as EnvironmentItem, environmentId: ref.environmentId };
  } catch (err) {
    if (!isConditionFailed(err)) throw translateAwsError(err, `UpdateItem on ${table}`);
  }
  // A retry of the SDK whose first try landed finds the job no longer held: that is this write.
  const { Item } = await documents
    .send(new GetCommand({ TableName: table, Key: environmentKey(ref.environmentId), ConsistentRead: true }))
    .catch((err: unknown) => {
      throw translateAwsError(err, `GetItem on ${table}`);
    });
  const item = Item as EnvironmentItem | undefined;
  if (item?.writeId === writeId) return { item, environmentId: ref.environmentId };
  throw leaseLost(jobId, owner);
}
