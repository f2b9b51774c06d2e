import type { Logger } from "../core/logger.ts";
import type { Job } from "../queue/job-queue.ts";
import type { Sleep } from "./sleep-on-timers.ts";
import type { StopReason } from "./stop-reason.ts";

export interface WaitForPreviousRunnerDeps {
  now: () => Date;
  sleep: Sleep;
  /** @default 30_000 (see `WorkerDeps.takeoverGraceMs`) */
  takeoverGraceMs?: number;
}

/**
 * A job taken over from an expired lease: the engine of its previous holder may still be stopping
 * (a graceful stop can outlast the lease; the provisioner kills the runner some seconds after the
 * abort), and recovery cancels the stack's lock and clears its pending operations: two engines
 * would write one stack. So nothing starts before that lease's expiry plus the grace; this
 * worker keeps its own lease meanwhile. Returns that time (epoch ms) for a taken-over job.
 */
export async function waitForPreviousRunner(
  deps: WaitForPreviousRunnerDeps,
  job: Job,
  signal: AbortSignal,
  jobLog: Logger,
): Promise<number | undefined> {
  if (!job.takenOver) return undefined;
  const notBefore = Date.parse(job.takenOver.leaseExpiredAt) + (deps.takeoverGraceMs ?? 30_000);
  const waitMs = notBefore - deps.now().getTime();
  if (waitMs > 0) {
    jobLog.info(
      { previousOwner: job.takenOver.owner, leaseExpiredAt: job.takenOver.leaseExpiredAt, waitMs },
      "taken over from an expired lease: waiting until its runner is surely gone",
    );
    // A destroy asked meanwhile does not cut the wait short: the destroy would run next, at once.
    const interrupted = new AbortController();
    const onAbort = () => {
      if ((signal.reason as StopReason).stop !== "destroy") interrupted.abort();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    await deps.sleep(waitMs, interrupted.signal);
    signal.removeEventListener("abort", onAbort);
  }
  return notBefore;
}
