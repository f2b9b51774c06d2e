import { describe, expect, it } from "vitest";
import type { Intent } from "../core/intent.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { submitIntent } from "./submit-intent.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const [A, B] = ["a".repeat(40), "b".repeat(40)];
const fork = { kind: "pull_request" as const, repository: "acme/api", pullRequest: 4, branch: "main" };
const cause = { actor: "octocat", deliveryId: "d-1", message: "test" };

// The rules intake relies on, against real SQLite: what holds, what deploys, what only links.
describe("submitIntent", () => {
  const stores = useSqliteStores();
  const submit = (intent: Intent) => submitIntent({ ...stores, nameMaxLength: 40 }, intent, NOW);
  const hold = (commitSha: string, keepApproval = false) =>
    submit({ type: "hold", identity: fork, commitSha, keepApproval, cause });

  it("never deploys a fork's environment without a commit (no 'head of its branch')", async () => {
    const { registry } = stores;
    expect(await submit({ type: "deploy", identity: fork, cause })).toMatchObject({
      outcome: "ignored",
      code: "INVALID_INPUT",
    });
    expect(await registry.findEnvironment(fork)).toBeUndefined();
  });

  it("lets an approved deploy that is queued go on when a new fork commit arrives, holding the new one in history", async () => {
    const { registry, queue } = stores;
    const held = await hold(A);
    expect(held).toMatchObject({ outcome: "held", environment: { status: "awaiting_approval" } });
    await submit({ type: "deploy", identity: fork, commitSha: A, pullRequest: 4, cause });
    expect(await hold(B)).toMatchObject({ outcome: "held", environment: { status: "queued" } });
    const id = (await registry.findEnvironment(fork))?.id as string;
    expect(await queue.listPending(id)).toMatchObject([{ type: "deploy", commitSha: A }]);
    const events = await registry.listEvents(id);
    expect(events.filter((e) => e.type === "approval_required").map((e) => e.commitSha)).toEqual([A, B]);
    // keepApproval: an approved environment deploys the new commit instead.
    expect(await hold(B, true)).toMatchObject({ outcome: "queued", collapsed: true });
  });

  it("destroys a never-approved fork at once, and one that ran through a job", async () => {
    const { registry, queue } = stores;
    await hold(A);
    expect(await submit({ type: "destroy", identity: fork, cause })).toMatchObject({
      outcome: "destroyed",
      environment: { status: "destroyed" },
    });
    expect(await queue.listPending()).toEqual([]);
    expect(await submit({ type: "destroy", identity: fork, cause })).toMatchObject({ code: "NOTHING_TO_DO" });

    await hold(B);
    const id = (await registry.findEnvironment(fork))?.id as string;
    await registry.appendEvent({ environmentId: id, at: NOW.toISOString(), type: "deploy_started", message: "x" });
    expect(await submit({ type: "destroy", identity: fork, cause })).toMatchObject({ outcome: "queued" });
    expect(await queue.listPending(id)).toMatchObject([{ type: "destroy" }]);
  });

  it("links a branch environment to its pull request, queueing nothing when the push already did", async () => {
    const branch = { kind: "branch" as const, repository: "acme/api", branch: "feature/x" };
    await submit({ type: "deploy", identity: branch, commitSha: A, cause });
    const linked = await submit({ type: "deploy", identity: branch, commitSha: A, pullRequest: 9, cause });
    expect(linked).toMatchObject({ outcome: "ignored", code: "ALREADY_DEPLOYED", environment: { pullRequest: 9 } });
    expect(await submit({ type: "deploy", identity: branch, commitSha: B, pullRequest: 9, cause })).toMatchObject({
      outcome: "queued",
      collapsed: true,
    });
  });
});
