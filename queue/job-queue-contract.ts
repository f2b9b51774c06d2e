import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ErrorCode } from "../core/errors.ts";
import { isStackforkError } from "../core/errors.ts";
import type { EnqueueInput, Job, JobQueue } from "./job-queue.ts";

const t0 = new Date("2030-01-01T00:00:00.000Z");
/** A fixed instant `seconds` after t0: tests never read the clock. */
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const LEASE_MS = 60_000;
const sha = (n: number) => n.toString(16).padStart(40, "0");
const deploy = (environmentId: string, commitSha: string, message = `push ${commitSha.slice(-4)}`): EnqueueInput => ({
  environmentId,
  type: "deploy",
  commitSha,
  reason: { message, actor: "octocat" },
});
const destroy = (environmentId: string, message = "branch deleted"): EnqueueInput => ({
  environmentId,
  type: "destroy",
  reason: { message, actor: "octocat", deliveryId: "d-destroy" },
});

/**
 * The behaviour every JobQueue adapter shares, tested through the port only. `makeQueue` returns a
 * new, empty queue for every test; the suite closes it.
 */
export function describeJobQueueContract(name: string, makeQueue: () => Promise<JobQueue>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let queue: JobQueue;
    beforeEach(async () => {
      queue = await makeQueue();
    });
    afterEach(async () => {
      await queue.close();
    });

    async function claimOrFail(owner: string, now: Date, leaseMs = LEASE_MS): Promise<Job> {
      const job = await queue.claim(owner, now, leaseMs);
      if (!job) throw new Error(`${owner} expected to claim a job at ${now.toISOString()}`);
      return job;
    }

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

    describe("claim", () => {
      it("takes the oldest job first, one per environment at a time, environments in parallel", async () => {
        const a1 = await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const a2 = await queue.enqueue(destroy("env-a"), at(1));
        const b1 = await queue.enqueue(deploy("env-b", sha(2)), at(2));
        // a1 was still queued: the destroy dropped it.
        expect(a2.superseded.map((j) => j.id)).toEqual([a1.job.id]);
        const a3 = await queue.enqueue(deploy("env-a", sha(3)), at(3));

        expect((await claimOrFail("w1", at(4))).id).toBe(a2.job.id);
        expect((await claimOrFail("w2", at(4))).id).toBe(b1.job.id);
        expect(await queue.claim("w3", at(4), LEASE_MS)).toBeUndefined();
        await queue.complete(a2.job.id, "w1");
        expect((await claimOrFail("w3", at(5))).id).toBe(a3.job.id);
      });

      it("keeps an environment's jobs in order even when the first one cannot run yet", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const first = await claimOrFail("w1", at(0));
        const second = await queue.enqueue(destroy("env-a"), at(1));
        await queue.retry(first.id, "w1", at(60));
        // The deploy is back first in line but backing off: the destroy behind it waits too.
        expect(await queue.claim("w2", at(30), LEASE_MS)).toBeUndefined();
        expect(await claimOrFail("w2", at(60))).toMatchObject({ id: first.id, attempt: 2, cancelRequested: true });
        await queue.complete(first.id, "w2");
        expect((await claimOrFail("w2", at(61))).id).toBe(second.job.id);
      });

      it("returns undefined when nothing is queued", async () => {
        expect(await queue.claim("w1", at(0), LEASE_MS)).toBeUndefined();
      });

      it("hands a job whose lease expired to another worker with attempt + 1, and the first one loses it", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const first = await claimOrFail("w1", at(0));
        expect(first.attempt).toBe(1);
        expect(await queue.claim("w2", at(59), LEASE_MS)).toBeUndefined();
        const reclaimed = await claimOrFail("w2", at(60));
        expect(reclaimed).toMatchObject({
          id: first.id,
          attempt: 2,
          commitSha: sha(1),
          takenOver: { owner: "w1", leaseExpiredAt: at(60).toISOString() },
        });

        for (const call of [
          () => queue.renewLease(first.id, "w1", at(61), LEASE_MS),
          () => queue.complete(first.id, "w1"),
          () => queue.retry(first.id, "w1", at(90)),
        ]) {
          expect(codeOf(await call().catch((e: unknown) => e))).toBe("LEASE_LOST");
        }
        expect(await queue.renewLease(first.id, "w2", at(61), LEASE_MS)).toEqual({ cancelRequested: false });
        expect(await queue.listPending()).toHaveLength(1);
      });

      it("says a claim took the job over from an expired lease only when it did", async () => {
        const { job } = await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const first = await claimOrFail("w1", at(0), 10_000);
        expect(first.takenOver).toBeUndefined();
        // Renewed once, then silent: the lease runs out 10 s after the renewal, not the claim.
        await queue.renewLease(job.id, "w1", at(5), 10_000);
        expect(await queue.claim("w2", at(14), 10_000, "env-a")).toBeUndefined();
        const second = await queue.claim("w2", at(15), 10_000, "env-a");
        expect(second?.takenOver).toEqual({ owner: "w1", leaseExpiredAt: at(15).toISOString() });
        // Handed back (retry, releaseAll): its holder's engine had stopped; nothing was taken over.
        await queue.retry(job.id, "w2", at(16));
        const third = await claimOrFail("w3", at(16), 10_000);
        expect(third.takenOver).toBeUndefined();
        await queue.releaseAll("w3");
        expect((await claimOrFail("w4", at(17), 10_000)).takenOver).toBeUndefined();
        // Neither listed nor kept: it describes one claim.
        expect((await queue.listPending("env-a"))[0]?.takenOver).toBeUndefined();
      });

      it("counts every expired lease as an attempt", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        await claimOrFail("w1", at(0), 10_000);
        expect((await claimOrFail("w2", at(10), 10_000)).attempt).toBe(2);
        expect((await claimOrFail("w3", at(20), 10_000)).attempt).toBe(3);
      });
    });

    describe("claim for one environment (what a wake-up asks for)", () => {
      it("takes only that environment's next job, never another environment's", async () => {
        const a = await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const b = await queue.enqueue(deploy("env-b", sha(2)), at(1));
        expect(await queue.claim("w1", at(2), LEASE_MS, "env-b")).toMatchObject({ id: b.job.id, attempt: 1 });
        expect(await queue.claim("w2", at(2), LEASE_MS, "env-b")).toBeUndefined();
        expect(await queue.claim("w2", at(2), LEASE_MS, "env-z")).toBeUndefined();
        expect((await claimOrFail("w2", at(2))).id).toBe(a.job.id);
      });

      it("leaves other environments' jobs queued when the one asked for has nothing claimable", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const running = await claimOrFail("w1", at(0));
        const b = await queue.enqueue(deploy("env-b", sha(2)), at(1));
        expect(await queue.claim("w2", at(2), LEASE_MS, "env-a")).toBeUndefined();
        expect(await queue.listPending("env-b")).toStrictEqual([b.job]);
        expect(await queue.renewLease(running.id, "w1", at(3), LEASE_MS)).toEqual({ cancelRequested: false });
      });

      it("follows the environment's order, backoff and leases like claim() without one", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const first = await queue.claim("w1", at(0), LEASE_MS, "env-a");
        if (!first) throw new Error("expected env-a's deploy");
        const second = await queue.enqueue(destroy("env-a"), at(1));
        // The destroy waits behind the running deploy, then behind its backoff.
        expect(await queue.claim("w2", at(2), LEASE_MS, "env-a")).toBeUndefined();
        await queue.retry(first.id, "w1", at(60));
        expect(await queue.claim("w2", at(30), LEASE_MS, "env-a")).toBeUndefined();
        expect(await queue.claim("w2", at(60), LEASE_MS, "env-a")).toMatchObject({ id: first.id, attempt: 2 });
        // w2's lease expires: another wake takes the same job again, a new attempt.
        expect(await queue.claim("w3", at(119), LEASE_MS, "env-a")).toBeUndefined();
        expect(await queue.claim("w3", at(120), LEASE_MS, "env-a")).toMatchObject({ id: first.id, attempt: 3 });
        expect(codeOf(await queue.complete(first.id, "w2").catch((e: unknown) => e))).toBe("LEASE_LOST");
        await queue.complete(first.id, "w3");
        expect(await queue.claim("w3", at(121), LEASE_MS, "env-a")).toMatchObject({ id: second.job.id, attempt: 1 });
      });
    });

    describe("leases", () => {
      it("extends a lease on renewal", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const job = await claimOrFail("w1", at(0));
        expect(await queue.renewLease(job.id, "w1", at(50), LEASE_MS)).toEqual({ cancelRequested: false });
        expect(await queue.claim("w2", at(100), LEASE_MS)).toBeUndefined();
        expect((await claimOrFail("w2", at(110))).attempt).toBe(2);
      });

      it("renews a lease that expired when nobody took the job in between", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const job = await claimOrFail("w1", at(0));
        expect(await queue.renewLease(job.id, "w1", at(90), LEASE_MS)).toEqual({ cancelRequested: false });
        expect(await queue.claim("w2", at(120), LEASE_MS)).toBeUndefined();
      });

      it("throws LEASE_LOST for an unknown job, another owner's job, and a job not running", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const job = await claimOrFail("w1", at(0));
        await queue.enqueue(deploy("env-b", sha(2)), at(0));
        const queued = (await queue.listPending("env-b"))[0];
        for (const call of [
          () => queue.renewLease("job-does-not-exist", "w1", at(1), LEASE_MS),
          () => queue.renewLease(job.id, "w2", at(1), LEASE_MS),
          () => queue.complete(job.id, "w2"),
          () => queue.retry(job.id, "w2", at(5)),
          () => queue.renewLease(queued?.id ?? "missing", "w1", at(1), LEASE_MS),
        ]) {
          expect(codeOf(await call().catch((e: unknown) => e))).toBe("LEASE_LOST");
        }
        expect(await queue.listPending()).toHaveLength(2);
      });
    });

    describe("complete, retry, releaseAll", () => {
      it("removes a completed job", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const job = await claimOrFail("w1", at(0));
        await queue.complete(job.id, "w1");
        expect(await queue.listPending()).toEqual([]);
        expect(await queue.claim("w1", at(1), LEASE_MS)).toBeUndefined();
        expect(codeOf(await queue.complete(job.id, "w1").catch((e: unknown) => e))).toBe("LEASE_LOST");
      });

      it("puts a retried job back with attempt + 1, not claimable before runAfter", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        await queue.enqueue(deploy("env-b", sha(2)), at(0));
        const job = await claimOrFail("w1", at(0));
        await queue.retry(job.id, "w1", at(30));
        const [pending] = await queue.listPending("env-a");
        expect(pending).toMatchObject({ id: job.id, attempt: 2, runAfter: at(30).toISOString() });
        // Another environment's job is not held up by the backoff.
        expect((await claimOrFail("w2", at(10))).environmentId).toBe("env-b");
        expect(await queue.claim("w1", at(29), LEASE_MS)).toBeUndefined();
        expect(await claimOrFail("w1", at(30))).toMatchObject({ id: job.id, attempt: 2 });
      });

      it("releases every job of one owner, claimable at once with the same attempt", async () => {
        await queue.enqueue(deploy("env-a", sha(1)), at(0));
        await queue.enqueue(deploy("env-b", sha(2)), at(0));
        await queue.enqueue(deploy("env-c", sha(3)), at(0));
        const a = await claimOrFail("w1", at(0));
        const b = await claimOrFail("w1", at(0));
        const c = await claimOrFail("w2", at(0));
        expect(await queue.releaseAll("w1")).toBe(2);
        expect(await queue.releaseAll("w1")).toBe(0);
        const again = [await claimOrFail("w3", at(1)), await claimOrFail("w3", at(1))];
        expect(again.map((j) => [j.id, j.attempt])).toEqual([
          [a.id, 1],
          [b.id, 1],
        ]);
        expect(await queue.claim("w3", at(1), LEASE_MS)).toBeUndefined();
        expect(await queue.renewLease(c.id, "w2", at(1), LEASE_MS)).toEqual({ cancelRequested: false });
        expect(codeOf(await queue.renewLease(a.id, "w1", at(1), LEASE_MS).catch((e: unknown) => e))).toBe("LEASE_LOST");
      });
    });

    describe("listPending", () => {
      it("lists jobs not done yet in queue order, of one environment or all", async () => {
        const a = await queue.enqueue(deploy("env-a", sha(1)), at(0));
        const b = await queue.enqueue(deploy("env-b", sha(2)), at(1));
        const c = await queue.enqueue(destroy("env-a"), at(2));
        expect(c.superseded.map((j) => j.id)).toEqual([a.job.id]);
        expect((await queue.listPending()).map((j) => j.id)).toEqual([b.job.id, c.job.id]);
        expect((await queue.listPending("env-a")).map((j) => j.id)).toEqual([c.job.id]);
        expect(await queue.listPending("env-z")).toEqual([]);
      });
    });
  });
}

function codeOf(error: unknown): ErrorCode | "not a StackforkError" {
  return isStackforkError(error) ? error.code : "not a StackforkError";
}
