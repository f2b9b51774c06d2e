import type { JobType } from "./job-queue.ts";

/** What the enqueue policy needs to know of a pending job; each adapter's own record fits. */
export interface PlannedJob {
  type: JobType;
  state: "queued" | "running";
}

/** What to do with an environment's pending jobs (in order) to take one more request. */
export interface EnqueueChange<J extends PlannedJob> {
  /** `collapse`: `into` takes the request's SHA (when it has one) and reason. `insert`: a new job after `keep`. */
  action: "collapse" | "insert";
  into?: J;
  /** The jobs that stay, in order: all of them but `drop`. */
  keep: J[];
  /** Queued deploys a destroy drops (superseded). */
  drop: J[];
  /** The running deploy a destroy asks to abort (cancelRequested). */
  abort?: J;
}

/** `skip`: enqueueIfIdle, and the environment has a job: change nothing. */
export type EnqueuePlan<J extends PlannedJob> = { action: "skip" } | EnqueueChange<J>;

/**
 * The enqueue policy of every adapter: a deploy collapses into the environment's queued deploy
 * (newest SHA wins); a destroy drops queued deploys, asks a running deploy to abort, and collapses
 * into a queued destroy. `ifIdle` (a repair nobody asked for) inserts only when the environment has
 * no job at all, so it never lands beside, or collapses into, work someone did ask for.
 */
export function planEnqueue<J extends PlannedJob>(jobs: readonly J[], type: JobType): EnqueueChange<J>;
export function planEnqueue<J extends PlannedJob>(
  jobs: readonly J[],
  type: JobType,
  options: { ifIdle?: boolean },
): EnqueuePlan<J>;
export function planEnqueue<J extends PlannedJob>(
  jobs: readonly J[],
  type: JobType,
  options: { ifIdle?: boolean } = {},
): EnqueuePlan<J> {
  if (options.ifIdle) return jobs.length > 0 ? { action: "skip" } : { action: "insert", keep: [], drop: [] };
  const isQueuedDeploy = (job: J) => job.type === "deploy" && job.state === "queued";
  const drop = type === "destroy" ? jobs.filter(isQueuedDeploy) : [];
  const keep = type === "destroy" ? jobs.filter((job) => !isQueuedDeploy(job)) : [...jobs];
  const abort = type === "destroy" ? keep.find((job) => job.type === "deploy" && job.state === "running") : undefined;
  // Only the environment's last job may absorb a request: a deploy queued before a destroy (a
  // retried one) must not take the newest SHA, or the destroy would run after it and win.
  const last = keep.at(-1);
  const into = last?.state === "queued" && last.type === type ? last : undefined;
  return { action: into ? "collapse" : "insert", keep, drop, ...(into && { into }), ...(abort && { abort }) };
}
