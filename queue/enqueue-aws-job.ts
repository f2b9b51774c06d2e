import { jobIdOf, toJob } from "./aws-job-id.ts";
import { newStoredJob } from "./aws-job-item.ts";
import type { AwsQueueDeps } from "./aws-job-table.ts";
import type { EnqueueInput, EnqueueResult } from "./job-queue.ts";
import { mutateEnvironmentJobs } from "./mutate-environment-jobs.ts";
import { nextJobSeq } from "./next-job-seq.ts";
import { planEnqueue } from "./plan-enqueue.ts";

/**
 * enqueue, or (`ifIdle`) enqueueIfIdle: planEnqueue applied inside one read-modify-write of the
 * environment's item, then a wake for a job that is new. Undefined only when `ifIdle` changed nothing.
 */
export async function enqueueAwsJob(deps: AwsQueueDeps, input: EnqueueInput, now: Date): Promise<EnqueueResult>;
export async function enqueueAwsJob(
  deps: AwsQueueDeps,
  input: EnqueueInput,
  now: Date,
  options: { ifIdle?: boolean },
): Promise<EnqueueResult | undefined>;
export async function enqueueAwsJob(
  deps: AwsQueueDeps,
  input: EnqueueInput,
  now: Date,
  options: { ifIdle?: boolean } = {},
): Promise<EnqueueResult | undefined> {
  const { environmentId } = input;
  let seq: number | undefined;
  const { result } = await mutateEnvironmentJobs(deps, environmentId, async (jobs) => {
    const plan = planEnqueue(jobs, input.type, options);
    if (plan.action === "skip") return { result: undefined };
    const { keep, drop: superseded, abort: abortRequested, into } = plan;
    if (abortRequested) abortRequested.cancelRequested = true;
    if (into) {
      if (input.commitSha !== undefined) into.commitSha = input.commitSha;
      into.reason = input.reason;
      return { result: { job: into, collapsed: true, superseded, abortRequested }, jobs: keep };
    }
    const last = keep.at(-1);
    // A number taken before a lost conflict is kept only while it still sorts last.
    if (seq === undefined || (last !== undefined && seq <= last.seq)) seq = await nextJobSeq(deps);
    const job = newStoredJob(input, seq, now);
    return { result: { job, collapsed: false, superseded, abortRequested }, jobs: [...keep, job] };
  });
  if (!result) return undefined;
  if (!result.collapsed) {
    await deps.sendWakes([
      { environmentId, job: result.job, deduplicationId: `${jobIdOf(environmentId, result.job)}-1` },
    ]);
  }
  return {
    job: toJob(environmentId, result.job),
    collapsed: result.collapsed,
    superseded: result.superseded.map((job) => toJob(environmentId, job)),
    ...(result.abortRequested && { abortRequested: toJob(environmentId, result.abortRequested) }),
  };
}
