import { beforeEach, describe, expect, it } from "vitest";
import type { JobQueue } from "./job-queue.ts";
import { at, claimOrFail as claimFrom, codeOf, deploy, destroy, LEASE_MS, sha } from "./job-queue-contract-fixtures.ts";

/**
 * The JobQueue contract, part 1: enqueueing (collapse, supersede, abort, work nobody asked for). `currentQueue`
 * gives the new, empty queue of each test (job-queue-contract.ts).
 */
export function describeEnqueueContract(currentQueue: () => JobQueue): void {
  let queue: JobQueue;
  beforeEach(() => {
    queue = currentQueue();
  });
  const claimOrFail = (owner: string, now: Date, leaseMs?: number) => claimFrom(queue, owner, now, leaseMs);

  describe("enqueue", () => {
    it("queues a job claimable at once, on its first attempt", async () => {
      const { job, collapsed, superseded, abortRequested } = await queue.enqueue(deploy("env-a", sha(1)), at(0));
      expect(job).toStrictEqual({
        id: job.id,
        environmentId: "env-a",
        type: "deploy",
        commitSha: sha(1),
        reason: { message: "push 0001", actor: "octocat" },
        attempt: 1,
        enqueuedAt: at(0).toISOString(),
        runAfter: at(0).toISOString(),
        cancelRequested: false,
      });
      expect(typeof job.id).toBe("string");
      expect([collapsed, superseded, abortRequested]).toEqual([false, [], undefined]);
      expect(await queue.listPending()).toStrictEqual([job]);
      expect(await claimOrFail("w1", at(0))).toStrictEqual(job);
    });

    it("collapses deploys into the one queued, keeping its place, newest SHA and reason winning", async () => {
      const first = await queue.enqueue(deploy("env-a", sha(1)), at(0));
      const other = await queue.enqueue(deploy("env-b", sha(9)), at(1));
      const second = await queue.enqueue(deploy("env-a", sha(2), "second push"), at(2));
      expect(second.collapsed).toBe(true);
      expect(second.job).toMatchObject({
        id: first.job.id,
        commitSha: sha(2),
        reason: { message: "second push" },
        enqueuedAt: at(0).toISOString(),
      });
      expect((await queue.listPending()).map((j) => [j.id, j.commitSha])).toEqual([
        [first.job.id, sha(2)],
        [other.job.id, sha(9)],
      ]);
    });

    it("turns a burst of 10 deploys while one runs into one running and one queued with the last SHA", async () => {
      await queue.enqueue(deploy("env-a", sha(0)), at(0));
      const running = await claimOrFail("w1", at(1));
      const results = [];
      for (let i = 1; i <= 10; i++) results.push(await queue.enqueue(deploy("env-a", sha(i)), at(1 + i)));
      expect(results.map((r) => r.collapsed)).toEqual([false, true, true, true, true, true, true, true, true, true]);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);

      const pending = await queue.listPending("env-a");
      expect(pending.map((j) => [j.id, j.commitSha])).toEqual([
        [running.id, sha(0)],
        [results[0]?.job.id, sha(10)],
      ]);
      // The queued one waits for the running one.
      expect(await queue.claim("w2", at(20), LEASE_MS)).toBeUndefined();
      await queue.complete(running.id, "w1");
      expect(await claimOrFail("w2", at(21))).toMatchObject({
        id: results[0]?.job.id,
        commitSha: sha(10),
        attempt: 1,
      });
    });

    it("lets a destroy drop queued deploys and ask the running deploy to abort", async () => {
      await queue.enqueue(deploy("env-a", sha(1)), at(0));
      const running = await claimOrFail("w1", at(1));
      const queued = await queue.enqueue(deploy("env-a", sha(2)), at(2));
      await queue.enqueue(deploy("env-b", sha(3)), at(3));

      const result = await queue.enqueue(destroy("env-a"), at(4));
      expect(result.collapsed).toBe(false);
      expect(result.job).toMatchObject({
        type: "destroy",
        environmentId: "env-a",
        attempt: 1,
        cancelRequested: false,
      });
      expect(result.superseded.map((j) => [j.id, j.commitSha])).toEqual([[queued.job.id, sha(2)]]);
      expect(result.abortRequested).toMatchObject({ id: running.id, cancelRequested: true });
      expect(await queue.renewLease(running.id, "w1", at(5), LEASE_MS)).toEqual({ cancelRequested: true });
      expect((await queue.listPending("env-a")).map((j) => [j.id, j.type])).toEqual([
        [running.id, "deploy"],
        [result.job.id, "destroy"],
      ]);
      expect(await queue.listPending("env-b")).toHaveLength(1);
    });

    it("collapses a destroy into a queued destroy", async () => {
      const first = await queue.enqueue(destroy("env-a", "first"), at(0));
      const second = await queue.enqueue(destroy("env-a", "second"), at(1));
      expect(second.collapsed).toBe(true);
      expect(second.job).toMatchObject({ id: first.job.id, reason: { message: "second" } });
      expect(await queue.listPending()).toHaveLength(1);
    });

    it("queues a deploy after a queued destroy, and a later destroy drops it", async () => {
      const destroyJob = await queue.enqueue(destroy("env-a"), at(0));
      const redeploy = await queue.enqueue(deploy("env-a", sha(1)), at(1));
      expect(redeploy.collapsed).toBe(false);
      const collapsed = await queue.enqueue(deploy("env-a", sha(2)), at(2));
      expect(collapsed).toMatchObject({ collapsed: true, job: { id: redeploy.job.id, commitSha: sha(2) } });
      expect((await queue.listPending()).map((j) => j.type)).toEqual(["destroy", "deploy"]);

      const again = await queue.enqueue(destroy("env-a"), at(3));
      expect(again.collapsed).toBe(true);
      expect(again.job.id).toBe(destroyJob.job.id);
      expect(again.superseded.map((j) => j.id)).toEqual([redeploy.job.id]);
      expect(again.abortRequested).toBeUndefined();
      expect((await queue.listPending()).map((j) => j.id)).toEqual([destroyJob.job.id]);
    });

    it("does not collapse a deploy into one queued before a destroy", async () => {
      await queue.enqueue(deploy("env-a", sha(1)), at(0));
      const running = await claimOrFail("w1", at(0));
      const destroyJob = await queue.enqueue(destroy("env-a"), at(1));
      // The worker retries instead of aborting: the old deploy is queued again, ahead of the destroy.
      await queue.retry(running.id, "w1", at(2));
      const redeploy = await queue.enqueue(deploy("env-a", sha(2)), at(3));
      expect(redeploy.collapsed).toBe(false);
      expect((await queue.listPending("env-a")).map((j) => [j.id, j.type, j.commitSha])).toEqual([
        [running.id, "deploy", sha(1)],
        [destroyJob.job.id, "destroy", undefined],
        [redeploy.job.id, "deploy", sha(2)],
      ]);
    });

    it("never reuses a job id", async () => {
      const first = await queue.enqueue(deploy("env-a", sha(1)), at(0));
      await claimOrFail("w1", at(0));
      await queue.complete(first.job.id, "w1");
      const second = await queue.enqueue(deploy("env-a", sha(2)), at(1));
      expect(second.job.id).not.toBe(first.job.id);
      const error = await queue.renewLease(first.job.id, "w1", at(2), LEASE_MS).catch((e: unknown) => e);
      expect(codeOf(error)).toBe("LEASE_LOST");
    });
  });

  describe("enqueueIfIdle (work nobody asked for)", () => {
    it("queues a job for an environment with none, as enqueue would", async () => {
      const job = await queue.enqueueIfIdle(deploy("env-a", sha(1), "recovered"), at(0));
      expect(job).toStrictEqual({
        id: job?.id,
        environmentId: "env-a",
        type: "deploy",
        commitSha: sha(1),
        reason: { message: "recovered", actor: "octocat" },
        attempt: 1,
        enqueuedAt: at(0).toISOString(),
        runAfter: at(0).toISOString(),
        cancelRequested: false,
      });
      expect(await queue.listPending()).toStrictEqual([job]);
      expect(await claimOrFail("w1", at(0))).toStrictEqual(job);
    });

    it("changes nothing for an environment with a job queued, running, or left by a dead lease", async () => {
      const queued = await queue.enqueue(deploy("env-a", sha(1)), at(0));
      await queue.enqueue(deploy("env-b", sha(2)), at(0));
      const running = await claimOrFail("w1", at(0), 10_000);
      expect(running.environmentId).toBe("env-a");
      await queue.enqueue(deploy("env-c", sha(3)), at(0));
      const before = await queue.listPending();

      // A newer push is queued for env-b: a repair must not collapse into it with an older commit.
      expect(await queue.enqueueIfIdle(deploy("env-b", sha(9)), at(1))).toBeUndefined();
      expect(await queue.enqueueIfIdle(destroy("env-a"), at(1))).toBeUndefined();
      // env-a's lease has expired: the job is still the environment's, waiting to be taken over.
      expect(await queue.enqueueIfIdle(deploy("env-a", sha(9)), at(20))).toBeUndefined();
      expect(await queue.listPending()).toStrictEqual(before);
      expect(queued.job.id).toBe(running.id);
    });

    it("queues again once the environment's jobs are done, with a new id", async () => {
      const first = await queue.enqueueIfIdle(destroy("env-a"), at(0));
      const held = await claimOrFail("w1", at(0));
      expect(held.id).toBe(first?.id);
      await queue.complete(held.id, "w1");
      const second = await queue.enqueueIfIdle(destroy("env-a"), at(1));
      expect(second).toMatchObject({ type: "destroy", attempt: 1 });
      expect(second?.id).not.toBe(first?.id);
    });
  });
}
