import { jobIdOf, parseJobId } from "./aws-job-id.ts";
import type { StoredJob } from "./aws-job-item.ts";
import type { AwsQueueDeps } from "./aws-job-table.ts";
import { leaseLost } from "./lease-lost.ts";
import { mutateEnvironmentJobs } from "./mutate-environment-jobs.ts";

/** complete: the held first job leaves the item, and the next job (if any) gets a wake. */
export async function completeAwsJob(deps: AwsQueueDeps, jobId: string, owner: string): Promise<void> {
  const ref = parseJobId(jobId);
  if (!ref) throw leaseLost(jobId, owner);
  const { result: next, version } = await mutateEnvironmentJobs(deps, ref.environmentId, (jobs) => {
    if (!isHeld(jobs[0], ref.seq, owner)) throw leaseLost(jobId, owner);
    const rest = jobs.slice(1);
    return { result: rest[0], jobs: rest };
  });
  // The version makes the id unique to this completion: the next job's own enqueue wake may have
  // been taken (and found it waiting) less than 5 minutes ago, and must not swallow this one.
  if (next) {
    const nextId = jobIdOf(ref.environmentId, next);
    await deps.sendWakes([
      { environmentId: ref.environmentId, job: next, deduplicationId: `${nextId}-${next.attempt}-v${version}` },
    ]);
  }
}

function isHeld(job: StoredJob | undefined, seq: number, owner: string): boolean {
  return job?.seq === seq && job.state === "running" && job.leaseOwner === owner;
}
