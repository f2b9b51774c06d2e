import type { Logger } from "../core/logger.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { RunClaimedJob } from "./run-job.ts";
import type { RunningJob } from "./running-job.ts";

export interface JobLoopDeps {
  queue: JobQueue;
  log: Logger;
  now: () => Date;
  workerId: string;
  leaseMs: number;
  concurrency: number;
  /** @default 500 */
  pollMs?: number;
  /** The worker's running jobs, shared with `handleWake` and `stop`. */
  running: Map<string, RunningJob>;
  run: RunClaimedJob;
  isStopping: () => boolean;
}

/**
 * The embedded worker's loop: `fill()` claims jobs while a slot is free, then looks again after
 * `pollMs`; a job that ends (or `schedule(0)`, a wake) looks again at once. `cancel()` ends the timer.
 */
export function createJobLoop(deps: JobLoopDeps) {
  const { queue, log, running } = deps;
  let timer: NodeJS.Timeout | undefined;
  let filling = false;

  function schedule(delayMs: number) {
    if (deps.isStopping()) return;
    clearTimeout(timer);
    timer = setTimeout(() => void fill(), delayMs);
  }

  async function fill(): Promise<void> {
    // A flag, not the promise: the body may finish synchronously (no free slot), before an
    // assignment of its promise would happen, and a stale promise would wedge the worker.
    if (filling) return;
    filling = true;
    try {
      while (!deps.isStopping() && running.size < deps.concurrency) {
        const claimedAt = deps.now();
        const job = await queue.claim(deps.workerId, claimedAt, deps.leaseMs);
        if (!job) break;
        const controller = new AbortController();
        const done = deps
          .run(job, controller, claimedAt)
          .then(() => undefined)
          .catch((err: unknown) =>
            log.error({ err, jobId: job.id }, "job crashed; its lease will expire and it runs again"),
          )
          .finally(() => {
            running.delete(job.id);
            schedule(0);
          });
        running.set(job.id, { job, controller, done });
      }
    } catch (err) {
      log.error({ err }, "could not take a job");
    } finally {
      filling = false;
      schedule(deps.pollMs ?? 500);
    }
  }

  return { fill, schedule, cancel: () => clearTimeout(timer) };
}
