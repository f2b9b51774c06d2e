/** What the claim rule needs to know of a pending job; each adapter's own record fits. */
export interface LeasableJob {
  state: "queued" | "running";
  /** epoch ms */
  runAfter: number;
  /** epoch ms; on a running job */
  leaseExpiresAt?: number;
}

/**
 * The job of an environment that may be claimed at `nowMs`, given its pending jobs in order: only
 * the first (jobs of one environment run in order), once due — queued with runAfter reached, or
 * running with a lease that expired (its worker is gone) — and while no other job of the
 * environment is under a live lease.
 */
export function findClaimableJob<J extends LeasableJob>(jobs: readonly J[], nowMs: number): J | undefined {
  const first = jobs[0];
  if (!first) return undefined;
  const due = first.state === "queued" ? first.runAfter <= nowMs : (first.leaseExpiresAt ?? 0) <= nowMs;
  const otherLeased = jobs.slice(1).some((job) => job.state === "running" && (job.leaseExpiresAt ?? 0) > nowMs);
  return due && !otherLeased ? first : undefined;
}
