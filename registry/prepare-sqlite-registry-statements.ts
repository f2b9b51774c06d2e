import type Database from "better-sqlite3";
import type { EnvironmentKind, EnvironmentStatus } from "../core/environment.ts";
import type { HistoryEventType } from "../core/history-event.ts";
import type { Via } from "../core/principal.ts";
import type { GroupCommit } from "../sqlite/create-group-commit.ts";

export interface EnvironmentRow {
  id: string;
  name: string;
  identity_key: string;
  kind: EnvironmentKind;
  repository: string;
  repository_key: string;
  branch: string;
  pull_request: number | null;
  owner: string | null;
  status: EnvironmentStatus;
  url: string | null;
  commit_sha: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_deploy_ms: number | null;
  outputs_json: string | null;
  /** The last cost measurement (migration 8); written only by saveCost, never by an environment write. */
  cost_json?: string | null;
  search_text: string;
}

export interface HistoryEventRow {
  id: number;
  environment_id: string;
  at: string;
  type: HistoryEventType;
  message: string;
  actor: string | null;
  via: Via | null;
  delivery_id: string | null;
  job_id: string | null;
  commit_sha: string | null;
  duration_ms: number | null;
  error_code: string | null;
}

export interface LogLineRow {
  seq: number;
  job_id: string;
  at: string;
  text: string;
}

/** Every statement of the registry, prepared once per database. */
export function prepareSqliteRegistryStatements(db: Database.Database) {
  return {
    environmentById: db.prepare<[string], EnvironmentRow>("SELECT * FROM environments WHERE id = ?"),
    environmentByIdentity: db.prepare<[string], EnvironmentRow>("SELECT * FROM environments WHERE identity_key = ?"),
    environmentExists: db.prepare<[string], { found: 1 }>("SELECT 1 AS found FROM environments WHERE id = ?"),
    nameTaken: db.prepare<[{ name: string }], { found: 1 }>(
      "SELECT 1 AS found FROM environments WHERE name = @name OR id = @name",
    ),
    insertEnvironment: db.prepare<[EnvironmentRow]>(
      `INSERT INTO environments (id, name, identity_key, kind, repository, repository_key, branch, pull_request, owner,
         status, url, commit_sha, created_at, updated_at, expires_at, last_error_code, last_error_message, last_deploy_ms, outputs_json, search_text)
       VALUES (@id, @name, @identity_key, @kind, @repository, @repository_key, @branch, @pull_request, @owner,
         @status, @url, @commit_sha, @created_at, @updated_at, @expires_at, @last_error_code, @last_error_message, @last_deploy_ms, @outputs_json, @search_text)`,
    ),
    updateEnvironment: db.prepare<[EnvironmentRow]>(
      `UPDATE environments SET status = @status, url = @url, commit_sha = @commit_sha, expires_at = @expires_at,
         last_error_code = @last_error_code, last_error_message = @last_error_message, last_deploy_ms = @last_deploy_ms,
         outputs_json = @outputs_json, pull_request = @pull_request, branch = @branch, search_text = @search_text, updated_at = @updated_at
       WHERE id = @id`,
    ),
    countByStatus: db.prepare<[], { status: EnvironmentStatus; count: number }>(
      "SELECT status, count(*) AS count FROM environments GROUP BY status",
    ),
    insertEvent: db.prepare<[Omit<HistoryEventRow, "id">]>(
      `INSERT INTO history_events (environment_id, at, type, message, actor, via, delivery_id, job_id, commit_sha, duration_ms, error_code)
       VALUES (@environment_id, @at, @type, @message, @actor, @via, @delivery_id, @job_id, @commit_sha, @duration_ms, @error_code)`,
    ),
    eventsOfEnvironment: db.prepare<[string, number], HistoryEventRow>(
      `SELECT * FROM (SELECT * FROM history_events WHERE environment_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
    ),
    logJob: db.prepare<[string, string], { line_count: number; truncated: number }>(
      "SELECT line_count, truncated FROM log_jobs WHERE environment_id = ? AND job_id = ?",
    ),
    upsertLogJob: db.prepare<[{ environment_id: string; job_id: string; line_count: number; truncated: number }]>(
      `INSERT INTO log_jobs (environment_id, job_id, line_count, truncated) VALUES (@environment_id, @job_id, @line_count, @truncated)
       ON CONFLICT (environment_id, job_id) DO UPDATE SET line_count = excluded.line_count, truncated = excluded.truncated`,
    ),
    lastLogSeq: db.prepare<[string], { seq: number }>(
      "SELECT seq FROM log_lines WHERE environment_id = ? ORDER BY seq DESC LIMIT 1",
    ),
    insertLogLine: db.prepare<[string, number, string, string, string]>(
      "INSERT INTO log_lines (environment_id, seq, job_id, at, text) VALUES (?, ?, ?, ?, ?)",
    ),
    logOfEnvironment: db.prepare<[string, number, number], LogLineRow>(
      "SELECT seq, job_id, at, text FROM log_lines WHERE environment_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    logOfJob: db.prepare<[string, string, number, number], LogLineRow>(
      "SELECT seq, job_id, at, text FROM log_lines WHERE environment_id = ? AND job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    deleteDelivery: db.prepare<[string]>("DELETE FROM seen_deliveries WHERE delivery_id = ?"),
    pruneDeliveries: db.prepare<[number]>("DELETE FROM seen_deliveries WHERE seen_at < ?"),
    pruneSignatures: db.prepare<[number]>("DELETE FROM seen_signatures WHERE seen_at < ?"),
    revokeSession: db.prepare<[{ session_id: string; expires_at: number }]>(
      `INSERT INTO revoked_sessions (session_id, expires_at) VALUES (@session_id, @expires_at)
       ON CONFLICT (session_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
    ),
    revokedSession: db.prepare<[string], { expires_at: number }>(
      "SELECT expires_at FROM revoked_sessions WHERE session_id = ?",
    ),
    pruneRevokedSessions: db.prepare<[number]>("DELETE FROM revoked_sessions WHERE expires_at < ?"),
    signatureByDigest: db.prepare<[string], { delivery_id: string; seen_at: number }>(
      "SELECT delivery_id, seen_at FROM seen_signatures WHERE signature_digest = ?",
    ),
    upsertSignature: db.prepare<[{ signature_digest: string; delivery_id: string; seen_at: number }]>(
      `INSERT INTO seen_signatures (signature_digest, delivery_id, seen_at) VALUES (@signature_digest, @delivery_id, @seen_at)
       ON CONFLICT (signature_digest) DO UPDATE SET delivery_id = excluded.delivery_id, seen_at = excluded.seen_at`,
    ),
    // Counts as new (changes = 1): an unseen id, an expired one (swept or not), or an abandoned one.
    insertDelivery: db.prepare<
      [{ delivery_id: string; seen_at: number; expired_before: number; abandoned_before: number }]
    >(
      `INSERT INTO seen_deliveries (delivery_id, seen_at) VALUES (@delivery_id, @seen_at)
       ON CONFLICT (delivery_id) DO UPDATE SET seen_at = excluded.seen_at
       WHERE seen_at < @expired_before
          OR (seen_at < @abandoned_before
              AND NOT EXISTS (SELECT 1 FROM history_events WHERE delivery_id = excluded.delivery_id))`,
    ),
  };
}

export type SqliteRegistryStatements = ReturnType<typeof prepareSqliteRegistryStatements>;

/** What every part of the SQLite registry works on: the database, its statements, the group commit its writes go through. */
export interface SqliteRegistryStore {
  db: Database.Database;
  sql: SqliteRegistryStatements;
  group: GroupCommit;
}
