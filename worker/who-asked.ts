import type { JobReason } from "../queue/job-queue.ts";

/**
 * Who asked for a job, for GitHub's notices: a person or a token (a reason with `via`), never the
 * platform's own work (expiry, reconciliation, repairs), which says why in `reason` instead.
 */
export function whoAsked(reason: JobReason): { actor: string; via: NonNullable<JobReason["via"]> } | undefined {
  return reason.actor && reason.via ? { actor: reason.actor, via: reason.via } : undefined;
}
