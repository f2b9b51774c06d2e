import { type ErrorCode, isStackforkError } from "../core/errors.ts";
import type { EnqueueInput, Job, JobQueue } from "./job-queue.ts";

export const t0 = new Date("2030-01-01T00:00:00.000Z");
/** A fixed instant `seconds` after t0: tests never read the clock. */
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
export const LEASE_MS = 60_000;
export const sha = (n: number) => n.toString(16).padStart(40, "0");
export const deploy = (
  environmentId: string,
  commitSha: string,
  message = `push ${commitSha.slice(-4)}`,
): EnqueueInput => ({
  environmentId,
  type: "deploy",
  commitSha,
  reason: { message, actor: "octocat" },
});
export const destroy = (environmentId: string, message = "branch deleted"): EnqueueInput => ({
  environmentId,
  type: "destroy",
  reason: { message, actor: "octocat", deliveryId: "d-destroy" },
});

/** The job `owner` claims at `now`; a test that expected one fails here when there is none. */
export async function claimOrFail(queue: JobQueue, owner: string, now: Date, leaseMs = LEASE_MS): Promise<Job> {
  const job = await queue.claim(owner, now, leaseMs);
  if (!job) throw new Error(`${owner} expected to claim a job at ${now.toISOString()}`);
  return job;
}

export function codeOf(error: unknown): ErrorCode | "not a StackforkError" {
  return isStackforkError(error) ? error.code : "not a StackforkError";
}
