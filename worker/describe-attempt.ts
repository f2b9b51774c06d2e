import type { Job } from "../queue/job-queue.ts";

/** " (attempt 2; taken over from ...)" for history, or "" for a first attempt of this worker's own. */
export function describeAttempt(job: Job): string {
  const takenOver = job.takenOver
    ? `; taken over from ${job.takenOver.owner}, whose lease expired at ${job.takenOver.leaseExpiredAt}`
    : "";
  return job.attempt > 1 || takenOver ? ` (attempt ${job.attempt}${takenOver})` : "";
}
