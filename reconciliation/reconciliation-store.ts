import type { ReconciliationKind } from "../core/decide-reconciliation.ts";
import type { CachedPage } from "../github/read-list-conditionally.ts";

import type { CachedBranch, CachedPullRequest } from "../github/read-repository-state.ts";

/** A decision, as carried out (or, in a dry run, as it would be). */
export interface ReconciliationChange {
  kind: ReconciliationKind;
  action: "deploy" | "destroy" | "hold";
  /** The environment's id; absent in a dry run for a branch that has none yet. */
  environment?: string;
  branch: string;
  pullRequest?: number;
  commitSha?: string;
  reason: string;
  /** What submitIntent made of it (`queued`, `held`, `destroyed`, `ignored`); absent in a dry run. */
  outcome?: string;
}

/** What stackfork knows of one repository from its reconciliations with GitHub. */
export interface RepositoryReconciliation {
  /** `owner/name`, as configured */
  repository: string;
  /** ISO 8601: the last run that looked at this repository (dry runs are not recorded). */
  lastAttemptAt?: string;
  /** ISO 8601: the last run that read everything and carried every decision out. */
  lastSuccessAt?: string;
  /** ISO 8601: the last run that found something out of step. */
  lastChangedAt?: string;
  /** What that run changed. */
  lastChanges: ReconciliationChange[];
  /** Why the last attempt did not succeed. */
  lastError?: { code: string; message: string };
  /** A rate limit was reached: no request for this repository before then (ISO 8601). */
  backoffUntil?: string;
  /** Branch heads at the last success: what "new since the last reconciliation" is measured against. */
  baseline?: Record<string, string>;
  /** Pages of the last reads, with their ETags, so that an unchanged list costs a 304. */
  branchPages: CachedPage<CachedBranch>[];
  pullPages: CachedPage<CachedPullRequest>[];
}

/** A redelivery stackfork asked GitHub for. */
export interface RedeliveryRequest {
  guid: string;
  /** GitHub's id of the failed attempt it was asked for. */
  deliveryId: number;
  event: string;
  /** ISO 8601 */
  askedAt: string;
  /** `requested` (GitHub answered 202) or `failed` (it refused; not asked again). */
  outcome: "requested" | "failed";
}

/** The deliveries check of one hook: the App's (`app`) or a repository's (`repo:<owner/name>:<id>`). */
export interface DeliveryCheck {
  hook: string;
  /** ISO 8601: when the last check began; the next one lists back to a little before it. */
  checkedAt?: string;
  /** Newest first, bounded: guids asked once are never asked again. */
  requested: RedeliveryRequest[];
}

/**
 * What reconciliations remember between runs (per repository: ETags, the baseline, what the last run
 * changed; per hook: the deliveries check). Its own port rather than the Registry's: it is a
 * cache and a log of reconciliation, not environments. Embedded: SQLite (its own file).
 */
export interface ReconciliationStore {
  getRepository(repository: string): Promise<RepositoryReconciliation | undefined>;
  saveRepository(record: RepositoryReconciliation): Promise<void>;
  /** Every repository reconciled at least once, by name. */
  listRepositories(): Promise<RepositoryReconciliation[]>;
  getDeliveryCheck(hook: string): Promise<DeliveryCheck | undefined>;
  saveDeliveryCheck(check: DeliveryCheck): Promise<void>;
  listDeliveryChecks(): Promise<DeliveryCheck[]>;
  close(): Promise<void>;
}
