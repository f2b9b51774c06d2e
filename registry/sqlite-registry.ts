import type Database from "better-sqlite3";
import {
  type Environment,
  type EnvironmentIdentity,
  type EnvironmentKind,
  type EnvironmentStatus,
  formatIdentityKey,
} from "../core/environment.ts";
import { nameEnvironment } from "../core/environment-name.ts";
import { assertTransition } from "../core/environment-status.ts";
import { StackforkError } from "../core/errors.ts";
import type { HistoryEvent, HistoryEventType, NewHistoryEvent } from "../core/history-event.ts";
import { createGroupCommit } from "../sqlite/create-group-commit.ts";
import { openSqliteDatabase } from "../sqlite/open-sqlite-database.ts";
import {
  DELIVERY_ABANDONED_AFTER_MS,
  type DeliveryMemory,
  type EnvironmentPage,
  type EnvironmentPatch,
  type ListEnvironmentsQuery,
  type LogLine,
  type Registry,
} from "./registry.ts";
import { sqliteRegistryMigrations } from "./sqlite-registry-migrations.ts";

export interface SqliteRegistryOptions {
  /** The SQLite file, created when missing. Its own file: not the queue's. */
  file: string;
  /** Engine log lines kept per job; later lines are dropped and one marker line says so. @default 2000 */
  maxLogLinesPerJob?: number;
  /** Hours a delivery id (and its signature) is remembered (GitHub redelivers for up to 3 days). @default 72 */
  deliveryRetainHours?: number;
}

/** "SFRG": marks the file as the registry's (see open-sqlite-database.ts). */
const REGISTRY_APPLICATION_ID = 0x53465247;
const DEFAULT_PAGE_LIMIT = 100;
const HOUR_MS = 3_600_000;
/** How often expired delivery ids are swept: not on every delivery, it is a write of its own. */
const DELIVERY_PRUNE_INTERVAL_MS = 60_000;

interface EnvironmentRow {
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
  search_text: string;
}

interface HistoryEventRow {
  id: number;
  environment_id: string;
  at: string;
  type: HistoryEventType;
  message: string;
  actor: string | null;
  delivery_id: string | null;
  job_id: string | null;
  commit_sha: string | null;
  duration_ms: number | null;
  error_code: string | null;
}

interface LogLineRow {
  seq: number;
  job_id: string;
  at: string;
  text: string;
}

/** The embedded registry: one SQLite file in WAL mode, safe for several processes. */
export function createSqliteRegistry(options: SqliteRegistryOptions): Registry {
  const maxLogLinesPerJob = options.maxLogLinesPerJob ?? 2000;
  const deliveryRetainHours = options.deliveryRetainHours ?? 72;
  if (!Number.isInteger(maxLogLinesPerJob) || maxLogLinesPerJob < 1) {
    throw new StackforkError("CONFIG_INVALID", "maxLogLinesPerJob must be a positive integer");
  }
  if (!(deliveryRetainHours > 0)) throw new StackforkError("CONFIG_INVALID", "deliveryRetainHours must be positive");

  // Registry writes are replayable (the queue holds the work): a lost last commit on power loss is acceptable.
  const db = openSqliteDatabase({
    file: options.file,
    applicationId: REGISTRY_APPLICATION_ID,
    migrations: sqliteRegistryMigrations,
    synchronous: "NORMAL",
  });
  const sql = prepareStatements(db);
  const group = createGroupCommit(db);
  const listStatements = new Map<string, Database.Statement>();

  const ensureEnvironment = db.transaction(
    (identity: EnvironmentIdentity, status: EnvironmentStatus, now: Date, nameMaxLength?: number) => {
      const identityKey = formatIdentityKey(identity);
      const existing = sql.environmentByIdentity.get(identityKey);
      if (existing) return toEnvironment(existing);
      const name = pickUniqueName(identity, nameMaxLength);
      const at = now.toISOString();
      const row: EnvironmentRow = {
        id: name,
        name,
        identity_key: identityKey,
        kind: identity.kind,
        repository: identity.repository,
        repository_key: identity.repository.toLowerCase(),
        branch: identity.branch,
        pull_request: identity.kind === "pull_request" ? identity.pullRequest : null,
        owner: identity.kind === "sandbox" ? identity.owner : null,
        status,
        url: null,
        commit_sha: null,
        created_at: at,
        updated_at: at,
        expires_at: null,
        last_error_code: null,
        last_error_message: null,
        last_deploy_ms: null,
        outputs_json: null,
        search_text: formatSearchText(name, identity.branch, identity.repository),
      };
      sql.insertEnvironment.run(row);
      return toEnvironment(row);
    },
  );

  function pickUniqueName(identity: EnvironmentIdentity, maxLength: number | undefined): string {
    // The plain name may belong to another identity (a branch literally named like a hashed name).
    for (const forceHash of [false, true]) {
      const name = nameEnvironment(identity, { maxLength, forceHash });
      if (!sql.nameTaken.get({ name })) return name;
    }
    throw new StackforkError("NAME_TAKEN", `no free name for ${formatIdentityKey(identity)}`, {
      details: { identity: formatIdentityKey(identity) },
    });
  }

  const updateEnvironment = db.transaction((id: string, patch: EnvironmentPatch, now: Date) => {
    const row = sql.environmentById.get(id);
    if (!row) throw new StackforkError("NOT_FOUND", `no environment ${id}`, { details: { id } });
    if (patch.status !== undefined) assertTransition(row.status, patch.status);
    if (row.kind === "pull_request" && patch.pullRequest !== undefined && patch.pullRequest !== row.pull_request) {
      throw new StackforkError("INVALID_INPUT", "a pull request environment keeps its pull request number", {
        details: { id },
      });
    }
    if (patch.branch !== undefined && patch.branch !== row.branch && row.kind !== "sandbox") {
      throw new StackforkError("INVALID_INPUT", "only a sandbox's branch (its ref) may change", { details: { id } });
    }
    const branch = patch.branch ?? row.branch;
    const next: EnvironmentRow = {
      ...row,
      branch,
      search_text: formatSearchText(row.name, branch, row.repository),
      status: patch.status ?? row.status,
      url: patch.url === undefined ? row.url : patch.url,
      commit_sha: patch.commitSha === undefined ? row.commit_sha : patch.commitSha,
      expires_at: patch.expiresAt === undefined ? row.expires_at : patch.expiresAt,
      last_error_code: patch.lastError === undefined ? row.last_error_code : (patch.lastError?.code ?? null),
      last_error_message: patch.lastError === undefined ? row.last_error_message : (patch.lastError?.message ?? null),
      last_deploy_ms: patch.lastDeployMs === undefined ? row.last_deploy_ms : patch.lastDeployMs,
      outputs_json:
        patch.outputs === undefined ? row.outputs_json : patch.outputs === null ? null : JSON.stringify(patch.outputs),
      pull_request: patch.pullRequest === undefined ? row.pull_request : patch.pullRequest,
      updated_at: now.toISOString(),
    };
    sql.updateEnvironment.run(next);
    return toEnvironment(next);
  });

  const appendEvent = db.transaction((event: NewHistoryEvent) => {
    requireEnvironment(event.environmentId);
    const row: Omit<HistoryEventRow, "id"> = {
      environment_id: event.environmentId,
      at: event.at,
      type: event.type,
      message: event.message,
      actor: event.actor ?? null,
      delivery_id: event.deliveryId ?? null,
      job_id: event.jobId ?? null,
      commit_sha: event.commitSha ?? null,
      duration_ms: event.durationMs ?? null,
      error_code: event.errorCode ?? null,
    };
    const { lastInsertRowid } = sql.insertEvent.run(row);
    return toHistoryEvent({ id: Number(lastInsertRowid), ...row });
  });

  const appendLog = db.transaction((environmentId: string, jobId: string, lines: readonly string[], now: Date) => {
    requireEnvironment(environmentId);
    if (lines.length === 0) return;
    const job = sql.logJob.get(environmentId, jobId) ?? { line_count: 0, truncated: 0 };
    if (job.truncated) return;
    const at = now.toISOString();
    let seq = sql.lastLogSeq.get(environmentId)?.seq ?? 0;
    const kept = lines.slice(0, Math.max(0, maxLogLinesPerJob - job.line_count));
    for (const text of kept) sql.insertLogLine.run(environmentId, ++seq, jobId, at, text);
    const truncated = kept.length < lines.length;
    if (truncated) {
      const marker = `[stackfork] log truncated: this job reached ${maxLogLinesPerJob} lines, later lines are dropped`;
      sql.insertLogLine.run(environmentId, ++seq, jobId, at, marker);
    }
    sql.upsertLogJob.run({
      environment_id: environmentId,
      job_id: jobId,
      line_count: job.line_count + kept.length,
      truncated: truncated ? 1 : 0,
    });
  });

  let prunedAt = Number.NEGATIVE_INFINITY;
  const rememberDelivery = db.transaction(
    (deliveryId: string, now: Date, signatureDigest: string | undefined): DeliveryMemory => {
      const expiredBefore = now.getTime() - deliveryRetainHours * HOUR_MS;
      // Expired ids are swept now and then; until then the insert itself treats one as unseen.
      if (now.getTime() - prunedAt >= DELIVERY_PRUNE_INTERVAL_MS) {
        sql.pruneDeliveries.run(expiredBefore);
        sql.pruneSignatures.run(expiredBefore);
        prunedAt = now.getTime();
      }
      if (signatureDigest !== undefined) {
        const bound = sql.signatureByDigest.get(signatureDigest);
        if (bound && bound.seen_at >= expiredBefore && bound.delivery_id !== deliveryId) return "signature_replayed";
      }
      const inserted = sql.insertDelivery.run({
        delivery_id: deliveryId,
        seen_at: now.getTime(),
        expired_before: expiredBefore,
        abandoned_before: now.getTime() - DELIVERY_ABANDONED_AFTER_MS,
      });
      if (inserted.changes !== 1) return "replayed";
      if (signatureDigest !== undefined) {
        sql.upsertSignature.run({ signature_digest: signatureDigest, delivery_id: deliveryId, seen_at: now.getTime() });
      }
      return "new";
    },
  );

  function requireEnvironment(id: string): void {
    if (!sql.environmentExists.get(id)) {
      throw new StackforkError("NOT_FOUND", `no environment ${id}`, { details: { id } });
    }
  }

  function listEnvironments(query: ListEnvironmentsQuery): EnvironmentPage {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    requirePositiveInteger(limit, "limit");
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: limit + 1 };
    if (query.status !== undefined) {
      where.push("status = @status");
      params.status = query.status;
    } else if (!query.includeDestroyed) {
      // Written exactly as the partial index's WHERE so the planner can use it.
      where.push("status <> 'destroyed'");
    }
    if (query.kind !== undefined) {
      where.push("kind = @kind");
      params.kind = query.kind;
    }
    if (query.repository !== undefined) {
      where.push("repository_key = @repository");
      params.repository = query.repository.toLowerCase();
    }
    if (query.owner !== undefined) {
      where.push("owner = @owner COLLATE NOCASE");
      params.owner = query.owner;
    }
    if (query.search) {
      // instr, not LIKE: `%` and `_` in a search are plain characters.
      where.push("instr(search_text, @search) > 0");
      params.search = query.search.toLowerCase();
    }
    if (query.cursor !== undefined) {
      const [updatedAt, id] = decodeCursor(query.cursor);
      where.push("(updated_at, id) < (@cursorUpdatedAt, @cursorId)");
      params.cursorUpdatedAt = updatedAt;
      params.cursorId = id;
    }
    const text = `SELECT * FROM environments${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY updated_at DESC, id DESC LIMIT @limit`;
    let statement = listStatements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      listStatements.set(text, statement);
    }
    const rows = statement.all(params) as EnvironmentRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      environments: page.map(toEnvironment),
      ...(rows.length > limit && last && { nextCursor: encodeCursor(last.updated_at, last.id) }),
    };
  }

  function listEvents(environmentId: string, options: { limit?: number }): HistoryEvent[] {
    if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
    // The newest `limit` events, returned oldest first: the tail of the audit trail.
    return sql.eventsOfEnvironment.all(environmentId, options.limit ?? -1).map(toHistoryEvent);
  }

  function readLog(environmentId: string, options: { jobId?: string; afterSeq?: number; limit?: number }): LogLine[] {
    if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
    const afterSeq = options.afterSeq ?? 0;
    const limit = options.limit ?? -1;
    const rows =
      options.jobId === undefined
        ? sql.logOfEnvironment.all(environmentId, afterSeq, limit)
        : sql.logOfJob.all(environmentId, options.jobId, afterSeq, limit);
    return rows.map((row) => ({ seq: row.seq, jobId: row.job_id, at: row.at, text: row.text }));
  }

  return {
    ensureEnvironment: async (identity, init) => {
      // Most deliveries find their environment: a read, with no commit to wait for.
      const existing = sql.environmentByIdentity.get(formatIdentityKey(identity));
      if (existing) return toEnvironment(existing);
      return group.write(() => ensureEnvironment(identity, init.status, init.now, init.nameMaxLength));
    },
    getEnvironment: async (id) => {
      const row = sql.environmentById.get(id);
      return row && toEnvironment(row);
    },
    findEnvironment: async (identity) => {
      const row = sql.environmentByIdentity.get(formatIdentityKey(identity));
      return row && toEnvironment(row);
    },
    listEnvironments: async (query = {}) => listEnvironments(query),
    countByStatus: async () => Object.fromEntries(sql.countByStatus.all().map((row) => [row.status, row.count])),
    updateEnvironment: (id, patch, now) => group.write(() => updateEnvironment(id, patch, now)),
    appendEvent: (event) => group.write(() => appendEvent(event)),
    listEvents: async (environmentId, options = {}) => listEvents(environmentId, options),
    appendLog: (environmentId, jobId, lines, now) => group.write(() => appendLog(environmentId, jobId, lines, now)),
    readLog: async (environmentId, options = {}) => readLog(environmentId, options),
    rememberDelivery: (deliveryId, now, options = {}) =>
      group.write(() => rememberDelivery(deliveryId, now, options.signatureDigest)),
    forgetDelivery: (deliveryId) =>
      group.write(() => {
        sql.deleteDelivery.run(deliveryId);
      }),
    revokeSession: (sessionId, expiresAt, now) =>
      group.write(() => {
        // Revoked ones past their expiry are swept here: a logout is rare, a read is not.
        sql.pruneRevokedSessions.run(now.getTime());
        sql.revokeSession.run({ session_id: sessionId, expires_at: expiresAt.getTime() });
      }),
    isSessionRevoked: async (sessionId, now) =>
      (sql.revokedSession.get(sessionId)?.expires_at ?? Number.NEGATIVE_INFINITY) > now.getTime(),
    close: async () => {
      await group.close();
      db.close();
    },
  };
}

function prepareStatements(db: Database.Database) {
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
      `INSERT INTO history_events (environment_id, at, type, message, actor, delivery_id, job_id, commit_sha, duration_ms, error_code)
       VALUES (@environment_id, @at, @type, @message, @actor, @delivery_id, @job_id, @commit_sha, @duration_ms, @error_code)`,
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

/** Absent optional fields are left out, never `null`: the Environment JSON of DESIGN.md. */
function toEnvironment(row: EnvironmentRow): Environment {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    repository: row.repository,
    branch: row.branch,
    ...(row.pull_request !== null && { pullRequest: row.pull_request }),
    ...(row.owner !== null && { owner: row.owner }),
    status: row.status,
    ...(row.url !== null && { url: row.url }),
    ...(row.commit_sha !== null && { commitSha: row.commit_sha }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.expires_at !== null && { expiresAt: row.expires_at }),
    ...(row.last_error_code !== null && {
      lastError: { code: row.last_error_code, message: row.last_error_message ?? "" },
    }),
    ...(row.last_deploy_ms !== null && { lastDeployMs: row.last_deploy_ms }),
    ...(row.outputs_json !== null && { outputs: JSON.parse(row.outputs_json) as Record<string, unknown> }),
  };
}

function toHistoryEvent(row: HistoryEventRow): HistoryEvent {
  return {
    id: row.id,
    environmentId: row.environment_id,
    at: row.at,
    type: row.type,
    message: row.message,
    ...(row.actor !== null && { actor: row.actor }),
    ...(row.delivery_id !== null && { deliveryId: row.delivery_id }),
    ...(row.job_id !== null && { jobId: row.job_id }),
    ...(row.commit_sha !== null && { commitSha: row.commit_sha }),
    ...(row.duration_ms !== null && { durationMs: row.duration_ms }),
    ...(row.error_code !== null && { errorCode: row.error_code }),
  };
}

function formatSearchText(name: string, branch: string, repository: string): string {
  return [name, branch, repository].join("\n").toLowerCase();
}

/** The last row's sort key, opaque to callers. */
function encodeCursor(updatedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([updatedAt, id])).toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return [value[0], value[1]];
    }
  } catch {
    // Not JSON: reported below like any other foreign cursor.
  }
  throw new StackforkError("INVALID_INPUT", "the cursor is not one this registry returned");
}

function requirePositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new StackforkError("INVALID_INPUT", `${what} must be a positive integer`, { details: { [what]: value } });
  }
}
