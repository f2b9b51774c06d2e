import { toJob } from "./aws-job-id.ts";
import type { AwsJobTable } from "./aws-job-table.ts";
import type { Job } from "./job-queue.ts";
import { queryPendingEnvironments } from "./query-pending-environments.ts";
import { readEnvironmentJobs } from "./read-environment-jobs.ts";

/** listPending: one environment's item read consistently, or every pending item through the index. */
export async function listAwsPendingJobs(jobTable: AwsJobTable, environmentId?: string): Promise<Job[]> {
  if (environmentId !== undefined) {
    return (await readEnvironmentJobs(jobTable, environmentId)).jobs.map((job) => toJob(environmentId, job));
  }
  const jobs = (await queryPendingEnvironments(jobTable)).flatMap((item) =>
    item.jobs.map((job) => ({ environmentId: item.environmentId, job })),
  );
  return jobs.sort((a, b) => a.job.seq - b.job.seq).map(({ environmentId: id, job }) => toJob(id, job));
}
