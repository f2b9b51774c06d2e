import { beforeEach, describe, expect, it } from "vitest";
import type { JobQueue } from "./job-queue.ts";
import { at, claimOrFail as claimFrom, codeOf, deploy, destroy, LEASE_MS, sha } from "./job-queue-contract-fixtures.ts";

/**
 * The JobQueue contract, part 2: claiming, leases, completion and what is pending. `currentQueue`
 * gives the new, empty queue of each test (job-queue-contract.ts).
 */
export function describeClaimContract(currentQueue: () => JobQueue): void {
  let queue: JobQueue;
  beforeEach(() => {
    queue = currentQueue();
  });
  const claimOrFail = (owner: string, now: Date, leaseMs?: number) => claimFrom(queue, owner, now, leaseMs);

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
}
