import type { Via } from "../core/principal.ts";

export type JobType = "deploy" | "destroy";

export interface JobReason {
  /** Who asked: a GitHub login, `token:<name>`, `api-token`, `stackfork` for the platform itself. */
  actor?: string;
  /** How they asked: `page`, `api`, `cli`, `github` (the intent's cause). */
  via?: Via;
  deliveryId?: string;
  message: string;
}

export interface Job {
  id: string;
  environmentId: string;
  type: JobType;
  /** deploy: the commit to deploy (after collapsing: the newest asked for). */
  commitSha?: string;
  reason: JobReason;
  /** 1 on the first run; grows on every retry and every lease that expired. */
  attempt: number;
  /** ISO 8601 */
  enqueuedAt: string;
  /** Not claimable before this (retry backoff). ISO 8601 */
  runAfter: string;
  /** A destroy arrived while this deploy ran: the worker should abort it. */
  cancelRequested: boolean;
  /**
   * Only on a claim that took the job over from a lease that expired (its holder died, or lost
   * touch with the queue): who held it, and when that lease ran out. That holder's engine may still
   * be stopping for a while after: the new holder starts none before it is gone (the worker's
   * takeover grace). Not on a job handed back (retry, releaseAll): its engine had already stopped.
   */
  takenOver?: { owner: string; leaseExpiredAt: string };
}

export interface EnqueueInput {
  environmentId: string;
  type: JobType;
  commitSha?: string;
  reason: JobReason;
}

export interface EnqueueResult {
  job: Job;
  /** The request was merged into a job already queued for the environment (newest SHA wins). */
  collapsed: boolean;
  /** Queued deploys a destroy dropped. */
  superseded: Job[];
  /** A running deploy that a destroy asked to abort. */
  abortRequested?: Job;
}

/**
 * Durable jobs, in order per environment: at most one running job per environment; jobs of
 * different environments run in parallel (the worker caps how many). Embedded: SQLite.
 * AWS: SQS FIFO with MessageGroupId = environment. Contract tests: job-queue-contract.ts.
 */
export interface JobQueue {
  /**
   * A deploy collapses into a deploy already queued (not running) for the environment. A destroy
   * drops queued deploys, asks a running deploy to abort, and collapses into a queued destroy.
   */
  enqueue(input: EnqueueInput, now: Date): Promise<EnqueueResult>;
  /**
   * Queues the job only when the environment has no job at all (queued or running, live lease or
   * not), in one atomic step; otherwise changes nothing and returns undefined. For work nobody
   * asked for (a repair): it must never land beside, or collapse into, work someone did ask for.
   */
  enqueueIfIdle(input: EnqueueInput, now: Date): Promise<Job | undefined>;
  /**
   * The oldest claimable job: runAfter reached, first in its environment's order, and no unexpired
   * lease on another job of that environment. A job whose lease expired (its worker died) is
   * claimable again, with attempt + 1 and `takenOver` saying from whom. With `environmentId`, only that environment's next job, by the
   * same rules: what a wake-up for one environment asks for (AWS: one SQS message group each).
   */
  claim(owner: string, now: Date, leaseMs: number, environmentId?: string): Promise<Job | undefined>;
  /** Extends the lease; throws LEASE_LOST when another worker took the job. */
  renewLease(jobId: string, owner: string, now: Date, leaseMs: number): Promise<{ cancelRequested: boolean }>;
  /** Done: removed from the queue. Throws LEASE_LOST when this owner no longer holds the job. */
  complete(jobId: string, owner: string): Promise<void>;
  /**
   * Back in the queue, claimable from `runAfter`, attempt + 1 (a pending abort request stays). Throws
   * LEASE_LOST when this owner no longer holds the job.
   */
  retry(jobId: string, owner: string, runAfter: Date): Promise<void>;
  /** Hands back every job this owner holds, claimable at once (restart, shutdown). */
  releaseAll(owner: string): Promise<number>;
  /** Jobs not done yet, of one environment or all. */
  listPending(environmentId?: string): Promise<Job[]>;
  close(): Promise<void>;
}
