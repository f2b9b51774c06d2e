import type {
  Environment,
  EnvironmentError,
  EnvironmentIdentity,
  EnvironmentKind,
  EnvironmentStatus,
} from "../core/environment.ts";
import type { HistoryEvent, NewHistoryEvent } from "../core/history-event.ts";
import type { AccessStore } from "./access-store.ts";
import type { CopyConfigStore } from "./copy-config-store.ts";
import type { CostStore } from "./cost-store.ts";

/** The fields a status change or a deploy result may set; `null` clears an optional field. */
export interface EnvironmentPatch {
  status?: EnvironmentStatus;
  url?: string | null;
  commitSha?: string | null;
  expiresAt?: string | null;
  lastError?: EnvironmentError | null;
  lastDeployMs?: number | null;
  /** The stack outputs of the last successful deploy, secret ones masked. */
  outputs?: Record<string, unknown> | null;
  pullRequest?: number | null;
  /** Only a sandbox's: its ref is not part of its identity, and a new `sandbox up` may name another. */
  branch?: string;
}

export interface ListEnvironmentsQuery {
  status?: EnvironmentStatus;
  kind?: EnvironmentKind;
  repository?: string;
  owner?: string;
  /** Matches name, branch and repository (case-insensitive substring). */
  search?: string;
  /** Hide `destroyed` environments unless asked for by status. @default false */
  includeDestroyed?: boolean;
  /** @default 100 */
  limit?: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export interface EnvironmentPage {
  environments: Environment[];
  nextCursor?: string;
}

export interface LogLine {
  /** Increases by one per line of an environment; readers resume after the last seq they saw. */
  seq: number;
  jobId: string;
  /** ISO 8601 */
  at: string;
  text: string;
}

/**
 * The registry of environments: their state, their history (audit trail), the engine log of their
 * jobs, the delivery ids already seen, and the dashboard sessions revoked. Embedded: SQLite. AWS: DynamoDB. One contract test suite
 * (registry-contract.ts) runs against every adapter. A copy's config: copy-config-store.ts.
 */
export interface Registry extends CopyConfigStore, AccessStore, CostStore {
  /**
   * The environment of this identity, created with `status` when missing. Its name is unique: when
   * the plain name is taken by another identity, the hashed name is used.
   */
  ensureEnvironment(
    identity: EnvironmentIdentity,
    init: { status: EnvironmentStatus; now: Date; nameMaxLength?: number },
  ): Promise<Environment>;
  getEnvironment(id: string): Promise<Environment | undefined>;
  findEnvironment(identity: EnvironmentIdentity): Promise<Environment | undefined>;
  /**
   * Newest first (by updatedAt, then id, both descending). A cursor or limit it cannot use throws
   * INVALID_INPUT.
   */
  listEnvironments(query?: ListEnvironmentsQuery): Promise<EnvironmentPage>;
  /** Statuses with no environment are left out; destroyed ones are counted. */
  countByStatus(): Promise<Partial<Record<EnvironmentStatus, number>>>;
  /**
   * Applies the patch; a status change not allowed by core/environment-status throws INVALID_TRANSITION
   * and changes nothing. An unknown id throws NOT_FOUND.
   */
  updateEnvironment(id: string, patch: EnvironmentPatch, now: Date): Promise<Environment>;

  /** An unknown environment throws NOT_FOUND. */
  appendEvent(event: NewHistoryEvent): Promise<HistoryEvent>;
  /** Oldest first; with `limit`, the newest `limit` events (the tail of the trail), still oldest first. */
  listEvents(environmentId: string, options?: { limit?: number }): Promise<HistoryEvent[]>;

  /**
   * Keeps at most `maxLinesPerJob` lines per job (the newest are dropped once full, and a marker line says so).
   * An unknown environment throws NOT_FOUND.
   */
  appendLog(environmentId: string, jobId: string, lines: readonly string[], now: Date): Promise<void>;
  /** Lines in seq order, all of them unless `limit`; none for an unknown environment. */
  readLog(environmentId: string, options?: { jobId?: string; afterSeq?: number; limit?: number }): Promise<LogLine[]>;

  /**
   * `new` the first time a delivery id is seen; `replayed` after. Ids are kept at least
   * `retainHours`. Also `new` for an id seen over `DELIVERY_ABANDONED_AFTER_MS` ago that no history
   * event carries: its handling died (a crash, a kill) before recording anything, and GitHub's
   * redelivery of it must not be lost as a replay. Before that delay it may still be in progress.
   *
   * With `signatureDigest` (a digest of the delivery's `X-Hub-Signature-256`), the signature is kept
   * as long, bound to the id that first brought it: the same signature under another id is
   * `signature_replayed` (the signature does not cover the id: a captured delivery sent again with a
   * new one), whatever that id's own state. GitHub's redelivery carries the same id and signature,
   * so a failed (forgotten) or abandoned delivery is still taken again. A delivery refused either way
   * changes nothing: it is all or nothing.
   */
  rememberDelivery(deliveryId: string, now: Date, options?: { signatureDigest?: string }): Promise<DeliveryMemory>;
  /**
   * Forgets a delivery id whose handling failed, so that GitHub's redelivery of it is handled. Its
   * signature stays bound to it: a copy under another id is still refused.
   */
  forgetDelivery(deliveryId: string): Promise<void>;

  /**
   * Ends a dashboard session on the server (logout), for every instance of the dashboard: revoked
   * until `expiresAt`, when its cookie dies anyway and the revocation may be forgotten.
   */
  revokeSession(sessionId: string, expiresAt: Date, now: Date): Promise<void>;
  /** Whether a session was revoked, and `now` is before the expiry it was revoked until. */
  isSessionRevoked(sessionId: string, now: Date): Promise<boolean>;

  close(): Promise<void>;
}

/** What `rememberDelivery` found: handle it, or not (and why). */
export type DeliveryMemory = "new" | "replayed" | "signature_replayed";

/**
 * After this long, a remembered delivery that left no trace in history was lost, not in progress:
 * GitHub gives up on a delivery after 10 seconds, and its redeliveries come later.
 */
export const DELIVERY_ABANDONED_AFTER_MS = 2 * 60_000;
