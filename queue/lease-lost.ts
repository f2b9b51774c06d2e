import { StackforkError } from "../core/errors.ts";

/** What both adapters throw when `owner` no longer holds the job (another worker took it, or it is done). */
export function leaseLost(jobId: string, owner: string): StackforkError {
  return new StackforkError("LEASE_LOST", `${owner} no longer holds ${jobId}`, { details: { jobId, owner } });
}
