import { toJob } from "./aws-job-id.ts";
import type { StoredJob } from "./aws-job-item.ts";
import type { AwsJobTable } from "./aws-job-table.ts";
import { describeTakeover } from "./describe-takeover.ts";
import { findClaimableJob } from "./find-claimable-job.ts";
import type { Job } from "./job-queue.ts";
import { mutateEnvironmentJobs } from "./mutate-environment-jobs.ts";
import { queryClaimableEnvironments } from "./query-claimable-environments.ts";

/** claim: the environment's job, or the oldest claimable job of any environment. */
export async function claimAwsJob(
  jobTable: AwsJobTable,
  owner: string,
  now: Date,
  leaseMs: number,
  environmentId?: string,
): Promise<Job | undefined> {
  const nowMs = now.getTime();
  if (environmentId !== undefined) return leaseNext(jobTable, environmentId, owner, nowMs, leaseMs);
  // The index may lag (and another worker may be faster): each candidate is read again
  // consistently and leased only if it is still claimable.
  for (const candidate of await queryClaimableEnvironments(jobTable, nowMs)) {
    const job = await leaseNext(jobTable, candidate.environmentId, owner, nowMs, leaseMs);
    if (job) return job;
  }
  return undefined;
}

/** Leases the environment's claimable job (findClaimableJob), if it has one. */
async function leaseNext(jobTable: AwsJobTable, environmentId: string, owner: string, nowMs: number, leaseMs: number) {
  let takenOver: Job["takenOver"];
  const { result } = await mutateEnvironmentJobs(jobTable, environmentId, (jobs) => {
    const job: StoredJob | undefined = findClaimableJob(jobs, nowMs);
    takenOver = job && describeTakeover(job);
    if (!job) return { result: undefined };
    if (takenOver) job.attempt += 1;
    job.state = "running";
    job.leaseOwner = owner;
    job.leaseExpiresAt = nowMs + leaseMs;
    return { result: job, jobs };
  });
  return result && { ...toJob(environmentId, result), ...(takenOver && { takenOver }) };
}
