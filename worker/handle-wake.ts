import type { JobQueue } from "../queue/job-queue.ts";
import type { RunClaimedJob } from "./run-job.ts";
import type { RunningJob } from "./running-job.ts";
import type { Sleep } from "./sleep-on-timers.ts";

export interface WakeOptions {
  /** Milliseconds this invocation has left (Lambda's `getRemainingTimeInMillis`); none: no deadline. */
  remainingMs?: () => number;
}

export interface WakeOutcome {
  /** Jobs run to an end (done, failed, or handed back). */
  ran: number;
  /** The deadline came before the environment's work was done; a wake for the rest is queued. */
  handedBack: boolean;
}

export interface HandleWakeDeps {
  queue: JobQueue;
  now: () => Date;
  sleep: Sleep;
  workerId: string;
  leaseMs: number;
  /** @default 60_000 (see `WorkerDeps.deadlineMarginMs`) */
  deadlineMarginMs?: number;
  /** @default 30_000 (see `WorkerDeps.maxWaitForDueMs`) */
  maxWaitForDueMs?: number;
  /** The worker's running jobs, shared with the loop and `stop`. */
  running: Map<string, RunningJob>;
  run: RunClaimedJob;
  isStopping: () => boolean;
}

/**
 * A wake from the queue (SQS): runs the environment's due jobs one after another, through the same
 * job path as the embedded loop, stopping the engine cleanly before the deadline. A wake with
 * nothing claimable does nothing.
 */
export async function handleWake(
  deps: HandleWakeDeps,
  environmentId: string,
  options: WakeOptions = {},
): Promise<WakeOutcome> {
  const { queue, running } = deps;
  const margin = deps.deadlineMarginMs ?? 60_000;
  const deadlineAt = options.remainingMs ? deps.now().getTime() + options.remainingMs() - margin : undefined;
  let ran = 0;
  while (!deps.isStopping()) {
    // A job is started only with time to spare; the rest is left to the wake the queue sends.
    if (deadlineAt !== undefined && deadlineAt - deps.now().getTime() < margin) return { ran, handedBack: true };
    const claimedAt = deps.now();
    const job = await queue.claim(deps.workerId, claimedAt, deps.leaseMs, environmentId);
    if (!job) {
      const wait = await waitForDue(deps, environmentId, deadlineAt);
      if (wait > 0) {
        await deps.sleep(wait);
        continue;
      }
      return { ran, handedBack: false };
    }
    const controller = new AbortController();
    const done = deps.run(job, controller, claimedAt, deadlineAt).finally(() => running.delete(job.id));
    running.set(job.id, { job, controller, done: done.then(() => undefined) });
    const settled = await done;
    ran++;
    // The queue's store failed this job's lease: the wake ends; the job comes back on its own wake.
    if (settled === "handed-back") return { ran, handedBack: true };
  }
  return { ran, handedBack: true };
}

/** Milliseconds until the environment's next job comes due, when that is soon enough to wait for. */
async function waitForDue(
  deps: HandleWakeDeps,
  environmentId: string,
  deadlineAt: number | undefined,
): Promise<number> {
  const [head] = await deps.queue.listPending(environmentId);
  if (!head) return 0;
  const wait = new Date(head.runAfter).getTime() - deps.now().getTime();
  const fits = deadlineAt === undefined || deps.now().getTime() + wait < deadlineAt;
  return wait > 0 && wait <= (deps.maxWaitForDueMs ?? 30_000) && fits ? wait : 0;
}
