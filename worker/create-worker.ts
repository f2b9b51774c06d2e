import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import type { Notifier } from "../github/notifier.ts";
import type { Provisioner } from "../provisioner/provisioner.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import type { Registry } from "../registry/registry.ts";
import { createJobLoop } from "./create-job-loop.ts";
import { createNoticeChain } from "./create-notice-chain.ts";
import { handleWake, type WakeOptions, type WakeOutcome } from "./handle-wake.ts";
import { type RunClaimedJob, runJob } from "./run-job.ts";
import type { RunningJob } from "./running-job.ts";
import { sleepOnTimers } from "./sleep-on-timers.ts";
import { stopRunningJobs } from "./stop-running-jobs.ts";

export type { WakeOptions, WakeOutcome };

export interface WorkerDeps {
  registry: Registry;
  queue: JobQueue;
  provisioner: Provisioner;
  notifier: Notifier;
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  log: Logger;
  now: () => Date;
  /**
   * Waits `ms` on the clock `now` reads, resolving early when `signal` aborts: the lease's renewals
   * run on it. Tests pass a fake clock's. @default real timers
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Lease owner name: unique per process. */
  workerId: string;
  /** Engine runs at once, across environments. */
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** How often to look for work when nobody wakes the worker. @default 500 */
  pollMs?: number;
  /**
   * Look for work on a timer (embedded). Off where wakes come from outside (SQS: `handleWake`), so
   * an idle platform makes no requests. @default true
   */
  poll?: boolean;
  /**
   * How long before a wake's deadline the engine is told to stop: a clean stop (the engine writes
   * its state, releases its lock) takes a while. @default 60_000
   */
  deadlineMarginMs?: number;
  /**
   * A job taken over from an expired lease starts only this long after that lease ran out: its
   * holder's runner may still be stopping, and recovery (cancel the stack's lock, clear its pending
   * operations) must wait until it is gone. Longer than the provisioner takes from an abort to the
   * runner's hard kill, plus the clock skew between workers. @default 30_000
   */
  takeoverGraceMs?: number;
  /** A wake waits this long at most for its environment's next job to come due (a retry's backoff). @default 30_000 */
  maxWaitForDueMs?: number;
}

export interface Worker {
  start(): void;
  /** Looks for work now (a job was just enqueued in this process). */
  wake(): void;
  /**
   * A wake from the queue (SQS): runs the environment's due jobs one after another, through the
   * same job path as the embedded loop, stopping the engine cleanly before the deadline. A wake
   * with nothing claimable does nothing.
   */
  handleWake(environmentId: string, options?: WakeOptions): Promise<WakeOutcome>;
  /** Stops taking jobs; waits up to graceMs for running ones, then aborts them and waits for them to settle. */
  stop(graceMs: number): Promise<void>;
  /** Jobs running now. */
  running(): number;
}

/**
 * Takes jobs in per-environment order, drives the provisioner, writes history and the engine log,
 * and never leaves an environment `deploying` after a crash: the job's lease expires (or the
 * restart releases it), the job is taken again, and the provisioner recovers the stack.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const sleep = deps.sleep ?? sleepOnTimers;
  const polling = deps.poll ?? true;
  const running = new Map<string, RunningJob>();
  let stopping = false;
  const isStopping = () => stopping;

  const notices = createNoticeChain(deps);
  const jobDeps = { ...deps, sleep, notify: notices.notify };
  const run: RunClaimedJob = (job, controller, claimedAt, deadlineAt) =>
    runJob(jobDeps, job, controller, claimedAt, deadlineAt);
  const loop = createJobLoop({ ...deps, running, run, isStopping });

  return {
    start() {
      stopping = false;
      // Jobs this worker id held before a restart are ours to take again, at once.
      void deps.queue.releaseAll(deps.workerId).then(() => (polling ? loop.fill() : undefined));
    },
    wake() {
      if (polling) loop.schedule(0);
    },
    handleWake: (environmentId, options) =>
      handleWake({ ...jobDeps, running, run, isStopping }, environmentId, options),
    async stop(graceMs) {
      stopping = true;
      loop.cancel();
      await stopRunningJobs({ running, sleep }, graceMs);
      await notices.settled();
    },
    running: () => running.size,
  };
}
