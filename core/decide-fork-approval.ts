import { findPendingApproval } from "./find-pending-approval.ts";
import type { HistoryEvent } from "./history-event.ts";

export interface ForkApprovalRequest {
  /** The prefix of the commit the approval names (`/stackfork deploy <sha>`), lowercase hex. */
  commit?: string;
  /** When the approving comment was written (ISO 8601, GitHub's clock). */
  requestedAt?: string;
}

export type ForkApprovalDecision =
  | { type: "approve"; commitSha: string }
  /** No commit waits for approval. */
  | { type: "nothing" }
  | {
      type: "refuse";
      code: "APPROVAL_STALE" | "APPROVAL_COMMIT_MISMATCH";
      reason: string;
      /** The commit that waits. */
      waiting: string;
      /** The shortest prefix of it (7 hex digits at least) that names it alone: `/stackfork deploy <approveWith>`. */
      approveWith: string;
    };

const SHORT = 7;

/**
 * What a comment approving a fork's pull request approves: exactly the commit the approver saw.
 * - `/stackfork deploy <sha>` approves the commit that waits only if it is the one named, and no
 *   other commit held for the pull request shares the prefix (a 7-digit collision costs an attacker
 *   2^28 tries: cheap);
 * - a plain `/stackfork deploy` approves the commit that waits (the newest held: the head as far as
 *   we know, the one the sticky comment names) only if it was held before the comment was written:
 *   our clock (the hold) against GitHub's (the comment), so a skew can only refuse.
 * `events`: the environment's history, oldest first.
 */
export function decideForkApproval(
  events: readonly HistoryEvent[],
  request: ForkApprovalRequest,
): ForkApprovalDecision {
  const pending = findPendingApproval(events);
  if (!pending) return { type: "nothing" };
  const waiting = pending.commitSha;
  const others = new Set(
    events.flatMap((e) =>
      e.type === "approval_required" && e.commitSha && e.commitSha !== waiting ? [e.commitSha] : [],
    ),
  );
  const approveWith = shortestUniquePrefix(waiting, others);
  const how = `${approveWith} waits for approval: review it, then comment /stackfork deploy ${approveWith}`;
  const refuse = (code: "APPROVAL_STALE" | "APPROVAL_COMMIT_MISMATCH", why: string): ForkApprovalDecision => ({
    type: "refuse",
    code,
    reason: `${why}; ${how}`,
    waiting,
    approveWith,
  });

  if (request.commit !== undefined) {
    const named = request.commit.toLowerCase();
    if (!waiting.startsWith(named)) return refuse("APPROVAL_COMMIT_MISMATCH", `${named} is not the commit waiting`);
    if ([...others].some((sha) => sha.startsWith(named)))
      return refuse("APPROVAL_COMMIT_MISMATCH", `${named} names more than one commit of this pull request`);
    return { type: "approve", commitSha: waiting };
  }
  const written = request.requestedAt === undefined ? Number.NaN : Date.parse(request.requestedAt);
  if (!(written >= Date.parse(pending.at)))
    return refuse("APPROVAL_STALE", `${waiting.slice(0, SHORT)} was pushed after this approval was written`);
  return { type: "approve", commitSha: waiting };
}

function shortestUniquePrefix(sha: string, others: ReadonlySet<string>): string {
  for (let length = SHORT; length < sha.length; length++) {
    const prefix = sha.slice(0, length);
    if (![...others].some((other) => other.startsWith(prefix))) return prefix;
  }
  return sha;
}
