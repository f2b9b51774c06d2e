import type { Via } from "./principal.ts";

export type HistoryEventType =
  | "deploy_requested"
  | "destroy_requested"
  | "deploy_started"
  | "deploy_succeeded"
  | "deploy_failed"
  | "destroy_started"
  | "destroy_succeeded"
  | "destroy_failed"
  | "deploy_superseded"
  | "deploy_aborted"
  | "lock_recovered"
  | "retry_scheduled"
  | "status_changed"
  | "expiry_extended"
  /** A fork pull request's commit waits for someone with write access to approve it (`commitSha`). */
  | "approval_required"
  /** A `/stackfork` command or an approval label was refused (`errorCode` says why). */
  | "command_refused"
  /** The repository's seed step (issue 19): asked again (reseed), run, done or failed (`SEED_FAILED`). */
  | "seed_requested"
  | "seed_started"
  | "seed_succeeded"
  | "seed_failed";

/** One entry of an environment's audit trail: what happened, when, and why. */
export interface HistoryEvent {
  id: number;
  environmentId: string;
  /** ISO 8601 */
  at: string;
  type: HistoryEventType;
  message: string;
  /** Who: a GitHub login, `token:<name>` (a named token), `api-token`, `stackfork` (the platform). */
  actor?: string;
  /** How a person or a token asked (issue 22): `page`, `api`, `cli`, `github` (a webhook). */
  via?: Via;
  deliveryId?: string;
  jobId?: string;
  commitSha?: string;
  durationMs?: number;
  errorCode?: string;
}

export type NewHistoryEvent = Omit<HistoryEvent, "id">;
