import type { StoredJob } from "./aws-job-item.ts";
import type { Job } from "./job-queue.ts";

/** `job-<seq>@<environment id>`: the id alone finds the environment's item. */
export function jobIdOf(environmentId: string, job: Pick<StoredJob, "seq">): string {
  return `job-${job.seq}@${environmentId}`;
}

export function parseJobId(jobId: string): { seq: number; environmentId: string } | undefined {
  const match = /^job-(\d+)@(.+)$/s.exec(jobId);
  return match?.[1] && match[2] ? { seq: Number(match[1]), environmentId: match[2] } : undefined;
}

/** The port's view of a stored job. */
export function toJob(environmentId: string, job: StoredJob): Job {
  return {
    id: jobIdOf(environmentId, job),
    environmentId,
    type: job.type,
    ...(job.commitSha !== undefined && { commitSha: job.commitSha }),
    reason: job.reason,
    attempt: job.attempt,
    enqueuedAt: job.enqueuedAt,
    runAfter: new Date(job.runAfter).toISOString(),
    cancelRequested: job.cancelRequested,
  };
}
