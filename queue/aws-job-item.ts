import type { EnqueueInput, JobReason, JobType } from "./job-queue.ts";

/*
 * Items of the jobs table (aws-resources.ts):
 *
 * ENV  pk "ENV#<environment id>", sk "JOBS": the environment's pending jobs, in order, in one item
 *      (collapsing keeps it to a few), so every decision the SQLite adapter makes in a transaction is
 *      one read and one conditional write here. `version` grows on every write; a read-modify-write
 *      is conditional on it and starts again on conflict. Only the first job is ever leased: claims
 *      take first jobs only, and a job leaves the front only by being removed.
 *      While jobs remain: gsi1pk "PENDING", gsi1sk "<claimableAt ms, 15 digits>#<first seq>",
 *      claimableAt (queued: runAfter; leased: the lease's expiry), firstSeq, leaseOwner (when leased).
 *      With none left: out of the index, and `ttl` 30 days on (kept, not deleted, so `version` never
 *      starts again at 1 under a writer that read the old item).
 * SEQ  pk "SEQ", sk "SEQ", value: ADD 1 per new job: the global enqueue order and the job ids.
 *
 * Job ids are `job-<seq>@<environment id>` (aws-job-id.ts): renewLease, retry and complete find the
 * item from the id alone, with no lookup item to write per job and read per call.
 */
export interface StoredJob {
  seq: number;
  type: JobType;
  commitSha?: string;
  reason: JobReason;
  attempt: number;
  enqueuedAt: string;
  /** epoch ms */
  runAfter: number;
  state: "queued" | "running";
  leaseOwner?: string;
  /** epoch ms */
  leaseExpiresAt?: number;
  cancelRequested: boolean;
}

export interface EnvironmentItem {
  environmentId: string;
  version: number;
  writeId: string;
  jobs: StoredJob[];
  claimableAt?: number;
  firstSeq?: number;
  leaseOwner?: string;
}

export const PENDING = "PENDING";
export const SEQ_KEY = { pk: "SEQ", sk: "SEQ" };
const EMPTY_ITEM_TTL_SECONDS = 30 * 86_400;

export function environmentKey(environmentId: string) {
  return { pk: `ENV#${environmentId}`, sk: "JOBS" };
}

/** The whole item for `jobs`: its index attributes follow the first job, or its expiry when none is left. */
export function toEnvironmentItem(
  environmentId: string,
  version: number,
  writeId: string,
  jobs: StoredJob[],
  now: Date,
) {
  const base = { ...environmentKey(environmentId), environmentId, version, writeId, jobs };
  const first = jobs[0];
  if (!first) return { ...base, ttl: Math.floor(now.getTime() / 1000) + EMPTY_ITEM_TTL_SECONDS };
  const leased = first.state === "running";
  const claimableAt = leased ? (first.leaseExpiresAt ?? 0) : first.runAfter;
  return {
    ...base,
    gsi1pk: PENDING,
    gsi1sk: indexKey(claimableAt, first.seq),
    claimableAt,
    firstSeq: first.seq,
    ...(leased && { leaseOwner: first.leaseOwner }),
  };
}

export function newStoredJob(input: EnqueueInput, seq: number, now: Date): StoredJob {
  return {
    seq,
    type: input.type,
    ...(input.commitSha !== undefined && { commitSha: input.commitSha }),
    reason: input.reason,
    attempt: 1,
    enqueuedAt: now.toISOString(),
    runAfter: now.getTime(),
    state: "queued",
    cancelRequested: false,
  };
}

export function indexKey(claimableAt: number, seq: number): string {
  return `${padded(claimableAt)}#${String(seq).padStart(12, "0")}`;
}

/** Fixed width, so the index's string order is the numbers' order. */
export function padded(ms: number): string {
  return String(Math.max(0, ms)).padStart(15, "0");
}
