import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { isConditionFailed, translateAwsError } from "../aws/translate-aws-error.ts";
import { StackforkError } from "../core/errors.ts";
import { type StoredJob, toEnvironmentItem } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";
import { readEnvironmentJobs } from "./read-environment-jobs.ts";

/** What a read-modify-write decided: `jobs` to write, or none (nothing changes). */
export interface JobsChange<T> {
  result: T;
  jobs?: StoredJob[];
}

/** Conflicting writers on one environment are few (webhook, a worker): this many is pathological. */
const MAX_CONFLICTS = 25;

/**
 * One read-modify-write of an environment's item. `change` sees the jobs as read (consistently)
 * and may change them in place; it runs again on a fresh read when another writer got there first.
 */
export async function mutateEnvironmentJobs<T>(
  jobTable: AwsJobTable,
  environmentId: string,
  change: (jobs: StoredJob[]) => JobsChange<T> | Promise<JobsChange<T>>,
): Promise<{ result: T; version: number }> {
  const { documents, table, clock } = jobTable;
  let current = await readEnvironmentJobs(jobTable, environmentId);
  for (let conflicts = 0; ; conflicts++) {
    const { result, jobs } = await change(current.jobs);
    if (!jobs) return { result, version: current.version };
    const writeId = randomUUID();
    const version = current.version + 1;
    try {
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: toEnvironmentItem(environmentId, version, writeId, jobs, clock()),
          ConditionExpression: current.version === 0 ? "attribute_not_exists(pk)" : "#version = :version",
          ...(current.version > 0 && {
            ExpressionAttributeNames: { "#version": "version" },
            ExpressionAttributeValues: { ":version": current.version },
          }),
        }),
      );
      return { result, version };
    } catch (err) {
      if (!isConditionFailed(err)) throw translateAwsError(err, `PutItem on ${table}`);
    }
    current = await readEnvironmentJobs(jobTable, environmentId);
    // The SDK retried a write whose answer was lost and the retry found its own write: done.
    if (current.writeId === writeId) return { result, version };
    if (conflicts >= MAX_CONFLICTS) {
      throw new StackforkError(
        "AWS_REQUEST_FAILED",
        `${environmentId}'s jobs on ${table} changed under ${MAX_CONFLICTS} writes in a row`,
        { details: { environmentId } },
      );
    }
    await sleep(Math.random() * Math.min(200, 5 * 2 ** conflicts));
  }
}
