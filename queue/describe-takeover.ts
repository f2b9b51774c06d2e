import type { Job } from "./job-queue.ts";

/**
 * Who a claim takes the job over from. A running job is claimable only because its lease expired:
 * its worker is gone, and this claim is a new attempt (attempt + 1).
 */
export function describeTakeover(job: {
  state: "queued" | "running";
  leaseOwner?: string;
  leaseExpiresAt?: number;
}): Job["takenOver"] {
  if (job.state !== "running") return undefined;
  return { owner: job.leaseOwner ?? "", leaseExpiredAt: new Date(job.leaseExpiresAt ?? 0).toISOString() };
}
