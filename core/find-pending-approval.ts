import type { HistoryEvent } from "./history-event.ts";

export interface PendingApproval {
  commitSha: string;
  /** When the commit was held (ISO 8601): an approval written before this is stale. */
  at: string;
}

/**
 * The fork commit that waits for approval, read from the environment's history (oldest first, as
 * the registry lists it): the newest `approval_required`, unless a deploy of that commit or a
 * destroy was requested after it.
 */
export function findPendingApproval(events: readonly HistoryEvent[]): PendingApproval | undefined {
  const requestedLater = new Set<string>();
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event) continue;
    if (event.type === "destroy_requested") return undefined;
    if (event.type === "deploy_requested" && event.commitSha) requestedLater.add(event.commitSha);
    if (event.type === "approval_required" && event.commitSha) {
      return requestedLater.has(event.commitSha) ? undefined : { commitSha: event.commitSha, at: event.at };
    }
  }
  return undefined;
}
