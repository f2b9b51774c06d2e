import type { HistoryEvent, NewHistoryEvent } from "../core/history-event.ts";
import { compactHistoryEvent } from "./compact-history-event.ts";
import { environmentNotFound } from "./environment-not-found.ts";
import type { HistoryEventRow, SqliteRegistryStore } from "./prepare-sqlite-registry-statements.ts";
import type { Registry } from "./registry.ts";
import { requirePositiveInteger } from "./require-positive-integer.ts";

/** The audit trail of the SQLite registry: one row per event, numbered across all environments. */
export function createSqliteHistory({
  db,
  sql,
  group,
}: SqliteRegistryStore): Pick<Registry, "appendEvent" | "listEvents"> {
  const appendEvent = db.transaction((event: NewHistoryEvent) => {
    if (!sql.environmentExists.get(event.environmentId)) throw environmentNotFound(event.environmentId);
    const row: Omit<HistoryEventRow, "id"> = {
      environment_id: event.environmentId,
      at: event.at,
      type: event.type,
      message: event.message,
      actor: event.actor ?? null,
      via: event.via ?? null,
      delivery_id: event.deliveryId ?? null,
      job_id: event.jobId ?? null,
      commit_sha: event.commitSha ?? null,
      duration_ms: event.durationMs ?? null,
      error_code: event.errorCode ?? null,
    };
    const { lastInsertRowid } = sql.insertEvent.run(row);
    return fromHistoryEventRow({ id: Number(lastInsertRowid), ...row });
  });

  return {
    appendEvent: (event) => group.write(() => appendEvent(event)),
    listEvents: async (environmentId, options = {}) => {
      if (options.limit !== undefined) requirePositiveInteger(options.limit, "limit");
      // The newest `limit` events, returned oldest first: the tail of the audit trail.
      return sql.eventsOfEnvironment.all(environmentId, options.limit ?? -1).map(fromHistoryEventRow);
    },
  };
}

function fromHistoryEventRow(row: HistoryEventRow): HistoryEvent {
  return compactHistoryEvent({
    id: row.id,
    environmentId: row.environment_id,
    at: row.at,
    type: row.type,
    message: row.message,
    actor: row.actor ?? undefined,
    via: row.via ?? undefined,
    deliveryId: row.delivery_id ?? undefined,
    jobId: row.job_id ?? undefined,
    commitSha: row.commit_sha ?? undefined,
    durationMs: row.duration_ms ?? undefined,
    errorCode: row.error_code ?? undefined,
  });
}
