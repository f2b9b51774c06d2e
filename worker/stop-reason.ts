import type { StackforkError } from "../core/errors.ts";

/**
 * Why a job's engine was told to stop (`AbortController.abort(reason)`): each ends the job its own
 * way. A destroy completes the deploy it superseded; a lost lease and a deadline hand the job back;
 * a shutdown releases it.
 */
export type StopReason =
  | { stop: "deadline" }
  | { stop: "destroy" }
  | { stop: "lease-lost"; error: StackforkError }
  | { stop: "shutdown" };
