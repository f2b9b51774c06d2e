import { describe, expect, it } from "vitest";
import { decideForkApproval } from "./decide-fork-approval.ts";
import type { HistoryEvent } from "./history-event.ts";

const [A, B] = ["a".repeat(40), "b".repeat(40)];
/** Two commits whose first 7 hex digits are the same: cheap to make on purpose (28 bits). */
const [X, Y] = [`abcdef1${"0".repeat(33)}`, `abcdef1${"1".repeat(33)}`];
const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 12, minute)).toISOString();
let ids = 0;
const held = (commitSha: string, minute: number): HistoryEvent => ({
  id: ++ids,
  environmentId: "api-pr-7",
  at: at(minute),
  type: "approval_required",
  message: "held",
  commitSha,
});
const requested = (commitSha: string, minute: number): HistoryEvent => ({
  ...held(commitSha, minute),
  type: "deploy_requested",
});

describe("decideForkApproval", () => {
  it("finds nothing to approve when no commit waits", () => {
    expect(decideForkApproval([], { requestedAt: at(5) })).toEqual({ type: "nothing" });
    expect(decideForkApproval([held(A, 1), requested(A, 2)], { commit: "aaaaaaa" })).toEqual({ type: "nothing" });
  });

  it("approves the commit a comment names by a prefix, whenever the comment was written", () => {
    expect(decideForkApproval([held(A, 1), held(B, 3)], { commit: "bbbbbbb", requestedAt: at(2) })).toEqual({
      type: "approve",
      commitSha: B,
    });
    expect(decideForkApproval([held(B, 3)], { commit: B })).toEqual({ type: "approve", commitSha: B });
  });

  it("refuses a named commit that is not the one waiting (a push landed after the review)", () => {
    const decision = decideForkApproval([held(A, 1), held(B, 3)], { commit: "aaaaaaa", requestedAt: at(4) });
    expect(decision).toMatchObject({
      type: "refuse",
      code: "APPROVAL_COMMIT_MISMATCH",
      waiting: B,
      approveWith: "bbbbbbb",
    });
  });

  it("refuses a prefix that more than one commit of the pull request shares, and asks for a longer one", () => {
    const events = [held(X, 1), held(Y, 3)];
    expect(decideForkApproval(events, { commit: "abcdef1", requestedAt: at(4) })).toMatchObject({
      type: "refuse",
      code: "APPROVAL_COMMIT_MISMATCH",
      waiting: Y,
      approveWith: "abcdef11",
    });
    expect(decideForkApproval(events, { commit: "abcdef11" })).toEqual({ type: "approve", commitSha: Y });
  });

  it("approves the waiting commit for a plain deploy only when it was held before the comment was written", () => {
    const events = [held(A, 1), held(B, 3)];
    expect(decideForkApproval(events, { requestedAt: at(4) })).toEqual({ type: "approve", commitSha: B });
    for (const requestedAt of [at(2), undefined, "not a date"]) {
      expect(decideForkApproval(events, { requestedAt }), String(requestedAt)).toMatchObject({
        type: "refuse",
        code: "APPROVAL_STALE",
        waiting: B,
        approveWith: "bbbbbbb",
      });
    }
  });
});
