import { translateAwsError } from "../aws/translate-aws-error.ts";
import { jobIdOf } from "./aws-job-id.ts";
import type { AwsQueueDeps } from "./aws-job-table.ts";
import { queryClaimableEnvironments } from "./query-claimable-environments.ts";

/** SQS FIFO drops a message whose deduplication id it saw in the last 5 minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/** rewakeStalled: a fresh wake for every environment whose first job is claimable now. */
export async function rewakeStalledEnvironments(deps: AwsQueueDeps, queueName: string, now: Date): Promise<number> {
  const nowMs = now.getTime();
  // A new id per 5-minute window: SQS would drop a repeat of one it saw within 5 minutes.
  const window = Math.floor(nowMs / DEDUPLICATION_WINDOW_MS);
  const wakes = (await queryClaimableEnvironments(deps, nowMs)).flatMap(({ environmentId, jobs }) => {
    const job = jobs[0];
    return job
      ? [{ environmentId, job, deduplicationId: `${jobIdOf(environmentId, job)}-${job.attempt}-sweep-${window}` }]
      : [];
  });
  const { sent, failed } = await deps.sendWakes(wakes);
  // The sweep is the last resort: its caller (the reaper) must hear that it failed.
  if (failed.length > 0 && sent === 0) throw translateAwsError(failed[0], `SendMessageBatch on ${queueName}`);
  return sent;
}
