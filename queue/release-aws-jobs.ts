import { jobIdOf } from "./aws-job-id.ts";
import type { StoredJob } from "./aws-job-item.ts";
import type { AwsQueueDeps } from "./aws-job-table.ts";
import { type JobsChange, mutateEnvironmentJobs } from "./mutate-environment-jobs.ts";
import { queryPendingEnvironments } from "./query-pending-environments.ts";

/** releaseAll: every job `owner` holds, found through the index, queued again and woken. */
export async function releaseAwsJobs(deps: AwsQueueDeps, owner: string): Promise<number> {
  const held = await queryPendingEnvironments(deps, {
    FilterExpression: "#leaseOwner = :owner",
    ExpressionAttributeNames: { "#leaseOwner": "leaseOwner" },
    ExpressionAttributeValues: { ":owner": owner },
  });
  const released = await Promise.all(
    held.map(async ({ environmentId }) => {
      const { result: job, version } = await mutateEnvironmentJobs(
        deps,
        environmentId,
        (jobs): JobsChange<StoredJob | undefined> => {
          const first = jobs[0];
          if (first?.state !== "running" || first.leaseOwner !== owner) return { result: undefined };
          // runAfter stays: it was reached when the job was claimed, so it is claimable at once.
          first.state = "queued";
          delete first.leaseOwner;
          delete first.leaseExpiresAt;
          return { result: first, jobs };
        },
      );
      return (
        job && { environmentId, job, deduplicationId: `${jobIdOf(environmentId, job)}-${job.attempt}-v${version}` }
      );
    }),
  );
  const wakes = released.filter((wake) => wake !== undefined);
  await deps.sendWakes(wakes);
  return wakes.length;
}
