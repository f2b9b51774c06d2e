import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { translateAwsError } from "../aws/translate-aws-error.ts";
import { type EnvironmentItem, environmentKey } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";

/** An environment's item as read (consistently): version 0 and no jobs when there is none yet. */
export interface EnvironmentSnapshot {
  version: number;
  writeId?: string;
  jobs: EnvironmentItem["jobs"];
}

export async function readEnvironmentJobs(
  { documents, table }: AwsJobTable,
  environmentId: string,
): Promise<EnvironmentSnapshot> {
  try {
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: environmentKey(environmentId), ConsistentRead: true }),
    );
    const item = Item as EnvironmentItem | undefined;
    return item ? { version: item.version, writeId: item.writeId, jobs: item.jobs } : { version: 0, jobs: [] };
  } catch (err) {
    throw translateAwsError(err, `GetItem on ${table}`);
  }
}
