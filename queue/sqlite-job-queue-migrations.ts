/**
 * The queue's schema, one step per `user_version`. A schema change is one more entry; released
 * entries are never edited (files in the field already ran them).
 */
export const sqliteJobQueueMigrations: readonly string[] = [
  `
  CREATE TABLE jobs (
    -- AUTOINCREMENT: ids are never reused, so a late call about a finished job cannot hit a new one.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the job id is 'job-' || seq; also the queue order
    environment_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('deploy', 'destroy')),
    commit_sha TEXT,
    reason TEXT NOT NULL,                   -- JobReason as JSON
    attempt INTEGER NOT NULL,
    enqueued_at TEXT NOT NULL,              -- ISO 8601
    run_after INTEGER NOT NULL,             -- epoch ms
    state TEXT NOT NULL CHECK (state IN ('queued', 'running')),
    lease_owner TEXT,
    lease_expires_at INTEGER,               -- epoch ms
    cancel_requested INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX jobs_by_environment ON jobs (environment_id, seq);
  CREATE INDEX jobs_by_lease_owner ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;
  `,
];
