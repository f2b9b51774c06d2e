import { isStackforkError, StackforkError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Job, JobQueue } from "../queue/job-queue.ts";
import type { Sleep } from "./sleep-on-timers.ts";
import type { StopReason } from "./stop-reason.ts";

export interface KeepLeaseDeps {
  queue: JobQueue;
  workerId: string;
  leaseMs: number;
  now: () => Date;
  sleep: Sleep;
}

/**
 * Renews the job's lease a third of the way through, until `stop()`; a stopping engine still
 * holds it until the job settles. A renewal that fails is tried again every little while as long
 * as the lease has time left; once it has not (or the queue says another worker holds the job),
 * the engine is stopped with a "lease-lost" reason, before anyone else may start on the stack.
 */
export function keepLease(
  deps: KeepLeaseDeps,
  job: Job,
  controller: AbortController,
  claimedAt: number,
  jobLog: Logger,
): { stop: () => void } {
  const { queue, sleep } = deps;
  const stopped = new AbortController();
  const every = Math.max(200, Math.floor(deps.leaseMs / 3));
  const retryMs = Math.max(100, Math.floor(deps.leaseMs / 30));
  let expiresAt = claimedAt + deps.leaseMs;

  const lose = (error: StackforkError) => {
    jobLog.error({ err: error, leaseExpiresAt: new Date(expiresAt).toISOString() }, "lease lost: stopping the engine");
    if (!controller.signal.aborted) controller.abort({ stop: "lease-lost", error } satisfies StopReason);
  };

  /** The renewal's answer, or "late" when the lease would run out (with a retry's margin) first. */
  const renew = async (at: Date) => {
    const late = new AbortController();
    const renewal = queue.renewLease(job.id, deps.workerId, at, deps.leaseMs).then(
      (answer) => ({ answer }),
      (err: unknown) => ({ err }),
    );
    const timeout = sleep(expiresAt - retryMs - at.getTime(), late.signal).then(() => "late" as const);
    try {
      return await Promise.race([renewal, timeout]);
    } finally {
      late.abort();
    }
  };

  void (async () => {
    let delay = every;
    while (!stopped.signal.aborted) {
      await sleep(delay, stopped.signal);
      if (stopped.signal.aborted) return;
      const at = deps.now();
      const outcome = await renew(at);
      if (stopped.signal.aborted) return;
      if (outcome !== "late" && "answer" in outcome) {
        expiresAt = at.getTime() + deps.leaseMs;
        delay = every;
        if (outcome.answer.cancelRequested && !controller.signal.aborted) {
          jobLog.info("destroy requested: aborting the running deploy");
          controller.abort({ stop: "destroy" } satisfies StopReason);
        }
        continue;
      }
      const err = outcome === "late" ? undefined : outcome.err;
      if (isStackforkError(err, "LEASE_LOST")) return lose(err);
      const left = expiresAt - deps.now().getTime();
      if (outcome !== "late" && left > 2 * retryMs) {
        jobLog.warn({ err, leftMs: left }, "lease renewal failed: trying again");
        delay = retryMs;
        continue;
      }
      // The code only: history is shown outside the platform team, and AWS's messages name its resources.
      const cause = isStackforkError(err) ? err.code : err ? "an unexpected error" : "no answer in time";
      return lose(
        new StackforkError("LEASE_LOST", `the job's lease could not be renewed before it expired (${cause})`, {
          cause: err,
          details: { jobId: job.id, owner: deps.workerId },
        }),
      );
    }
  })();

  return { stop: () => stopped.abort() };
}
