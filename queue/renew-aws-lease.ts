import { parseJobId } from "./aws-job-id.ts";
import { indexKey } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";
import { updateHeldJob } from "./update-held-job.ts";

/** renewLease: the lease and the item's index key move on together. */
export async function renewAwsLease(
  jobTable: AwsJobTable,
  jobId: string,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<{ cancelRequested: boolean }> {
  const expires = now.getTime() + leaseMs;
  const { item } = await updateHeldJob(jobTable, jobId, owner, {
    expression: "SET #jobs[0].#leaseExpiresAt = :expires, #claimableAt = :expires, #gsi1sk = :indexKey",
    values: { ":expires": expires, ":indexKey": indexKey(expires, parseJobId(jobId)?.seq ?? 0) },
  });
  return { cancelRequested: item.jobs[0]?.cancelRequested === true };
}
