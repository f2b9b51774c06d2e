import type { Environment } from "../core/environment.ts";
import type { Logger } from "../core/logger.ts";
import type { Job, JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import type { Notify } from "./create-notice-chain.ts";
import { recordJobEvent } from "./record-job-event.ts";
import { whoAsked } from "./who-asked.ts";

export interface SettleTimeoutDeps {
  registry: Registry;
  queue: JobQueue;
  workerId: string;
  now: () => Date;
  notify: Notify;
}

/**
 * The engine was stopped before the invocation's deadline. The first time, the job goes back to
 * the queue at once (the next invocation starts with a full 15 minutes); a job that already ran
 * out of time once cannot finish on Lambda at all: it fails with DEPLOY_TIMEOUT, not a loop.
 */
export async function settleTimeout(
  deps: SettleTimeoutDeps,
  environment: Environment,
  job: Job,
  durationMs: number,
  jobLog: Logger,
): Promise<void> {
  const { registry, queue } = deps;
  const history = await registry.listEvents(environment.id, { limit: 50 });
  const timedOutBefore = history.some((e) => e.jobId === job.id && e.errorCode === "DEPLOY_TIMEOUT");
  const message = `${job.type} stopped before the deadline after ${Math.round(durationMs / 1000)}s`;
  if (!timedOutBefore) {
    await recordJobEvent(deps, environment, job, "retry_scheduled", `${message}; handed back to run again`, {
      durationMs,
      errorCode: "DEPLOY_TIMEOUT",
    });
    await queue.retry(job.id, deps.workerId, deps.now());
    return;
  }
  jobLog.error(`${message}, the second time: it cannot finish within one invocation`);
  const error = {
    code: "DEPLOY_TIMEOUT" as const,
    message: `${message}, twice: it cannot finish within one invocation`,
  };
  const failed = await registry.updateEnvironment(environment.id, { status: "failed", lastError: error }, deps.now());
  await recordJobEvent(
    deps,
    environment,
    job,
    job.type === "deploy" ? "deploy_failed" : "destroy_failed",
    error.message,
    {
      durationMs,
      errorCode: error.code,
    },
  );
  deps.notify({
    environment: failed,
    phase: "failed",
    commitSha: job.commitSha,
    error,
    jobId: job.id,
    by: whoAsked(job.reason),
  });
  await queue.complete(job.id, deps.workerId);
}
