import { parseJobId } from "./aws-job-id.ts";
import { indexKey } from "./aws-job-item.ts";
import type { AwsQueueDeps } from "./aws-job-table.ts";
import { updateHeldJob } from "./update-held-job.ts";

/** retry: the held first job is queued again from `runAfter`, attempt + 1. */
export async function retryAwsJob(deps: AwsQueueDeps, jobId: string, owner: string, runAfter: Date): Promise<void> {
  const runAfterMs = runAfter.getTime();
  const { item, environmentId } = await updateHeldJob(deps, jobId, owner, {
    expression:
      "SET #jobs[0].#state = :queued, #jobs[0].runAfter = :runAfter, #jobs[0].attempt = #jobs[0].attempt + :one, " +
      "#claimableAt = :runAfter, #gsi1sk = :indexKey " +
      "REMOVE #jobs[0].#leaseOwner, #jobs[0].#leaseExpiresAt, #leaseOwner",
    values: {
      ":queued": "queued",
      ":runAfter": runAfterMs,
      ":indexKey": indexKey(runAfterMs, parseJobId(jobId)?.seq ?? 0),
    },
  });
  const job = item.jobs[0];
  // A wake now, although the job waits for runAfter: FIFO queues have no per-message delay. The
  // consumer that finds it not yet due can hide the wake until then (ChangeMessageVisibility),
  // and the sweep sends another once it is due.
  if (job) await deps.sendWakes([{ environmentId, job, deduplicationId: `${jobId}-${job.attempt}` }]);
}
