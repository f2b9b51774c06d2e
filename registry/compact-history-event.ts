import type { HistoryEvent } from "../core/history-event.ts";

/** A history event whose optional fields may be stored as `undefined` (a row's NULL, an item's absent attribute). */
export type StoredHistoryEvent = { [K in keyof HistoryEvent]: HistoryEvent[K] | undefined } & Pick<
  HistoryEvent,
  "id" | "environmentId" | "at" | "type" | "message"
>;

/** Absent optional fields are left out, never `undefined` or `null`; nothing else of the stored shape. */
export function compactHistoryEvent(stored: StoredHistoryEvent): HistoryEvent {
  return {
    id: stored.id,
    environmentId: stored.environmentId,
    at: stored.at,
    type: stored.type,
    message: stored.message,
    ...(stored.actor !== undefined && { actor: stored.actor }),
    ...(stored.via !== undefined && { via: stored.via }),
    ...(stored.deliveryId !== undefined && { deliveryId: stored.deliveryId }),
    ...(stored.jobId !== undefined && { jobId: stored.jobId }),
    ...(stored.commitSha !== undefined && { commitSha: stored.commitSha }),
    ...(stored.durationMs !== undefined && { durationMs: stored.durationMs }),
    ...(stored.errorCode !== undefined && { errorCode: stored.errorCode }),
  };
}
