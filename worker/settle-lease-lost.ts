import type { Environment } from "../core/environment.ts";
import { isStackforkError, type StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Job, JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { recordJobEvent } from "./record-job-event.ts";

export interface SettleLeaseLostDeps {
  registry: Registry;
  queue: JobQueue;
  workerId: string;
  now: () => Date;
}

/**
 * The engine was stopped because the job's lease could not be renewed (the queue's store was
 * unreachable or busy for longer than the lease had left, or another worker took the job). The
 * job is not done: it goes back to the queue, and history says why, with LEASE_LOST. The store
 * may still be unreachable: then the lease expires, and the job is taken over once it has (and
 * after the grace that lets this engine die first).
 */
export async function settleLeaseLost(
  deps: SettleLeaseLostDeps,
  environment: Environment,
  job: Job,
  error: StackforkError,
  durationMs: number,
  jobLog: Logger,
): Promise<void> {
  const delayMs = Math.min(60_000, 1000 * 2 ** (job.attempt - 1));
  await recordJobEvent(
    deps,
    environment,
    job,
    "retry_scheduled",
    `${job.type} stopped: ${error.message}; handed back to run again in ${delayMs / 1000}s`,
    { durationMs, errorCode: error.code },
  ).catch((err: unknown) => jobLog.error({ err }, "could not record the lost lease in history"));
  await deps.queue.retry(job.id, deps.workerId, new Date(deps.now().getTime() + delayMs)).catch((err: unknown) => {
    if (isStackforkError(err, "LEASE_LOST")) jobLog.warn("another worker holds the job now");
    else jobLog.warn({ err }, "could not hand the job back: it runs again once its lease expires");
  });
}
