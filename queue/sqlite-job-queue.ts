import type Database from "better-sqlite3";
import { createGroupCommit } from "../sqlite/create-group-commit.ts";
import { openSqliteDatabase } from "../sqlite/open-sqlite-database.ts";
import { describeTakeover } from "./describe-takeover.ts";
import { findClaimableJob } from "./find-claimable-job.ts";
import type { EnqueueInput, EnqueueResult, Job, JobQueue, JobReason, JobType } from "./job-queue.ts";
import { leaseLost } from "./lease-lost.ts";
import { planEnqueue } from "./plan-enqueue.ts";
import { requirePositiveLease } from "./require-positive-lease.ts";
import { sqliteJobQueueMigrations } from "./sqlite-job-queue-migrations.ts";

export interface SqliteJobQueueOptions {
  /** The SQLite file, created when missing. Its own file: not the registry's. */
  file: string;
}

/** "SFQJ": marks the file as the queue's (see open-sqlite-database.ts). */
const QUEUE_APPLICATION_ID = 0x5346514a;

interface JobRow {
  seq: number;
  environment_id: string;
  type: JobType;
  commit_sha: string | null;
  reason: string;
  attempt: number;
  enqueued_at: string;
  run_after: number;
  state: "queued" | "running";
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
}

/**
 * The embedded job queue: one SQLite table. Every read-then-write runs in an IMMEDIATE transaction
 * (the write lock is taken before the read), so several processes on one file never both claim a job.
 */
export function createSqliteJobQueue(options: SqliteJobQueueOptions): JobQueue {
  const db = openSqliteDatabase({
    file: options.file,
    applicationId: QUEUE_APPLICATION_ID,
    migrations: sqliteJobQueueMigrations,
    synchronous: "NORMAL",
  });
  const sql = prepareStatements(db);
  // A job is the only record of a webhook already answered 202: it must survive power loss. Each
  // write settles once its commit is flushed to the disk (FULL's durability), and the writes of one
  // event-loop turn share that commit: one flush for a burst of webhooks, none on the event loop.
  const group = createGroupCommit(db, { syncWal: true });

  const enqueue = db.transaction((input: EnqueueInput, now: Date): EnqueueResult => {
    const plan = planEnqueue(pendingOf(input.environmentId), input.type);
    for (const { row } of plan.drop) sql.deleteJob.run(row.seq);
    if (plan.abort) sql.requestCancel.run(plan.abort.row.seq);
    const into = plan.into?.row;
    if (into) {
      sql.collapse.run({
        seq: into.seq,
        commit_sha: input.commitSha ?? into.commit_sha,
        reason: JSON.stringify(input.reason),
      });
    }
    return {
      job: readJob(into ? into.seq : insertJob(input, now)),
      collapsed: into !== undefined,
      superseded: plan.drop.map(({ row }) => toJob(row)),
      ...(plan.abort && { abortRequested: readJob(plan.abort.row.seq) }),
    };
  });

  const enqueueIfIdle = db.transaction((input: EnqueueInput, now: Date): Job | undefined =>
    planEnqueue(pendingOf(input.environmentId), input.type, { ifIdle: true }).action === "skip"
      ? undefined
      : readJob(insertJob(input, now)),
  );

  function pendingOf(environmentId: string): PendingRow[] {
    return sql.jobsOfEnvironment.all(environmentId).map(toPendingRow);
  }

  function insertJob(input: EnqueueInput, now: Date): number {
    const { lastInsertRowid } = sql.insertJob.run({
      environment_id: input.environmentId,
      type: input.type,
      commit_sha: input.commitSha ?? null,
      reason: JSON.stringify(input.reason),
      enqueued_at: now.toISOString(),
      run_after: now.getTime(),
    });
    return Number(lastInsertRowid);
  }

  function readJob(seq: number): Job {
    const row = sql.jobBySeq.get(seq);
    if (!row) throw new Error(`job-${seq} vanished inside its own transaction`);
    return toJob(row);
  }

  const claim = db.transaction((owner: string, now: Date, leaseMs: number, environmentId?: string): Job | undefined => {
    const nowMs = now.getTime();
    const job = findClaimable(
      environmentId === undefined ? sql.allJobs.all() : sql.jobsOfEnvironment.all(environmentId),
      nowMs,
    );
    if (!job) return undefined;
    const takenOver = describeTakeover(job);
    const attempt = takenOver ? job.row.attempt + 1 : job.row.attempt;
    sql.takeLease.run({ seq: job.row.seq, owner, lease_expires_at: nowMs + leaseMs, attempt });
    return { ...readJob(job.row.seq), ...(takenOver && { takenOver }) };
  });

  /** The job while this owner holds it (an expired lease nobody took again still counts), else LEASE_LOST. */
  function requireHeld(jobId: string, owner: string): JobRow {
    const seq = parseJobId(jobId);
    const row = seq === undefined ? undefined : sql.jobBySeq.get(seq);
    if (row?.state !== "running" || row.lease_owner !== owner) {
      throw leaseLost(jobId, owner);
    }
    return row;
  }

  const renewLease = db.transaction((jobId: string, owner: string, now: Date, leaseMs: number) => {
    const row = requireHeld(jobId, owner);
    sql.renewLease.run(now.getTime() + leaseMs, row.seq);
    return { cancelRequested: row.cancel_requested === 1 };
  });

  const complete = db.transaction((jobId: string, owner: string) => {
    sql.deleteJob.run(requireHeld(jobId, owner).seq);
  });

  const retry = db.transaction((jobId: string, owner: string, runAfter: Date) => {
    sql.requeue.run(runAfter.getTime(), requireHeld(jobId, owner).seq);
  });

  return {
    enqueue: (input, now) => group.write(() => enqueue(input, now)),
    enqueueIfIdle: (input, now) => group.write(() => enqueueIfIdle(input, now)),
    claim: async (owner, now, leaseMs, environmentId) => {
      requirePositiveLease(leaseMs);
      return group.write(() => claim(owner, now, leaseMs, environmentId));
    },
    renewLease: async (jobId, owner, now, leaseMs) => {
      requirePositiveLease(leaseMs);
      return group.write(() => renewLease(jobId, owner, now, leaseMs));
    },
    complete: (jobId, owner) => group.write(() => complete(jobId, owner)),
    retry: (jobId, owner, runAfter) => group.write(() => retry(jobId, owner, runAfter)),
    // One statement: atomic on its own. run_after is left as is: a job was claimable (run_after
    // reached) when it was claimed, so it is claimable again at once.
    releaseAll: (owner) => group.write(() => sql.releaseAll.run(owner).changes),
    listPending: async (environmentId) =>
      (environmentId === undefined ? sql.allJobs.all() : sql.jobsOfEnvironment.all(environmentId)).map(toJob),
    close: async () => {
      await group.close();
      db.close();
    },
  };
}

function prepareStatements(db: Database.Database) {
  return {
    jobBySeq: db.prepare<[number], JobRow>("SELECT * FROM jobs WHERE seq = ?"),
    allJobs: db.prepare<[], JobRow>("SELECT * FROM jobs ORDER BY seq"),
    jobsOfEnvironment: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE environment_id = ? ORDER BY seq"),
    insertJob: db.prepare<
      [Pick<JobRow, "environment_id" | "type" | "commit_sha" | "reason" | "enqueued_at" | "run_after">]
    >(
      `INSERT INTO jobs (environment_id, type, commit_sha, reason, attempt, enqueued_at, run_after, state)
       VALUES (@environment_id, @type, @commit_sha, @reason, 1, @enqueued_at, @run_after, 'queued')`,
    ),
    collapse: db.prepare<[{ seq: number; commit_sha: string | null; reason: string }]>(
      "UPDATE jobs SET commit_sha = @commit_sha, reason = @reason WHERE seq = @seq",
    ),
    requestCancel: db.prepare<[number]>("UPDATE jobs SET cancel_requested = 1 WHERE seq = ?"),
    deleteJob: db.prepare<[number]>("DELETE FROM jobs WHERE seq = ?"),
    takeLease: db.prepare<[{ seq: number; owner: string; lease_expires_at: number; attempt: number }]>(
      `UPDATE jobs SET state = 'running', lease_owner = @owner, lease_expires_at = @lease_expires_at, attempt = @attempt
       WHERE seq = @seq`,
    ),
    renewLease: db.prepare<[number, number]>("UPDATE jobs SET lease_expires_at = ? WHERE seq = ?"),
    requeue: db.prepare<[number, number]>(
      `UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_after = ?, attempt = attempt + 1
       WHERE seq = ?`,
    ),
    releaseAll: db.prepare<[string]>(
      "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running' AND lease_owner = ?",
    ),
  };
}

/** A row as the shared rules (planEnqueue, findClaimableJob, describeTakeover) read it. */
interface PendingRow {
  row: JobRow;
  type: JobType;
  state: JobRow["state"];
  runAfter: number;
  leaseOwner?: string;
  leaseExpiresAt?: number;
}

function toPendingRow(row: JobRow): PendingRow {
  return {
    row,
    type: row.type,
    state: row.state,
    runAfter: row.run_after,
    ...(row.lease_owner !== null && { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at !== null && { leaseExpiresAt: row.lease_expires_at }),
  };
}

/**
 * The oldest claimable job of `rows` (in seq order, of one environment or all): the claimable job of
 * each environment, the environment whose first job is oldest first.
 */
function findClaimable(rows: JobRow[], nowMs: number): PendingRow | undefined {
  const byEnvironment = new Map<string, PendingRow[]>();
  for (const row of rows) {
    const jobs = byEnvironment.get(row.environment_id) ?? [];
    jobs.push(toPendingRow(row));
    byEnvironment.set(row.environment_id, jobs);
  }
  for (const jobs of byEnvironment.values()) {
    const job = findClaimableJob(jobs, nowMs);
    if (job) return job;
  }
  return undefined;
}

function toJob(row: JobRow): Job {
  return {
    id: `job-${row.seq}`,
    environmentId: row.environment_id,
    type: row.type,
    ...(row.commit_sha !== null && { commitSha: row.commit_sha }),
    reason: JSON.parse(row.reason) as JobReason,
    attempt: row.attempt,
    enqueuedAt: row.enqueued_at,
    runAfter: new Date(row.run_after).toISOString(),
    cancelRequested: row.cancel_requested === 1,
  };
}

function parseJobId(jobId: string): number | undefined {
  const match = /^job-(\d+)$/.exec(jobId);
  return match ? Number(match[1]) : undefined;
}
