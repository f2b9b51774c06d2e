import { describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { StackforkError } from "../core/errors.ts";
import { submitIntent } from "../intake/submit-intent.ts";
import type { Provisioner } from "../provisioner/provisioner.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { createFakeClock, type FakeClock } from "../test/support/fake-clock.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { type InFlight, trackInFlight } from "../test/support/track-in-flight.ts";
import { createWorker, type WorkerDeps } from "./create-worker.ts";

const repository = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local" as const,
  ttlHours: 72,
};
const sha = "b".repeat(40);
const t0 = new Date("2030-01-01T00:00:00.000Z");

interface EngineRun {
  startedAt: number;
  abortedAt?: number;
}

/**
 * An engine that runs until `finished()` holds (checked every 100 ms of the fake clock) or until it
 * is told to stop; it records, on the fake clock, when it started and when it was stopped.
 */
function fakeEngine(clock: FakeClock, finished: () => boolean = () => false) {
  const runs: EngineRun[] = [];
  const destroys: number[] = [];
  const provisioner: Provisioner = {
    deploy: async ({ signal, commitSha }) => {
      const run: EngineRun = { startedAt: clock.now().getTime() };
      runs.push(run);
      while (!signal.aborted && !finished()) await clock.sleep(100, signal);
      if (signal.aborted) {
        run.abortedAt = clock.now().getTime();
        throw new StackforkError("DEPLOY_CANCELLED", "stopped");
      }
      return { commitSha: commitSha ?? sha, outputs: {}, changes: {} };
    },
    destroy: async () => {
      destroys.push(clock.now().getTime());
      return { changes: {} };
    },
  };
  return { provisioner, runs, destroys };
}

/** The queue, whose lease renewals fail `failures` times (a DynamoDB outage, a busy database) first. */
function failingRenewals(queue: JobQueue, failures: number) {
  const counts = { calls: 0, failed: 0 };
  const wrapped: JobQueue = {
    ...queue,
    renewLease: async (...args) => {
      counts.calls++;
      if (counts.failed < failures) {
        counts.failed++;
        throw new StackforkError("AWS_UNAVAILABLE", "the table could not be reached");
      }
      return queue.renewLease(...args);
    },
  };
  return { queue: wrapped, counts };
}

describe("the worker's lease", () => {
  const stores = useSqliteStores();
  let inFlight: InFlight;
  /** A fake clock that moves on only once the stores' real I/O is done. */
  const startClock = () => {
    inFlight = trackInFlight();
    return createFakeClock(t0, { busy: inFlight.busy });
  };

  function makeWorker(clock: FakeClock, overrides: Partial<WorkerDeps>) {
    return createWorker({
      registry: inFlight.track(stores.registry),
      queue: inFlight.track(stores.queue),
      provisioner: fakeEngine(clock).provisioner,
      notifier: { notify: async () => {} },
      findRepository: () => repository,
      log: createRecordingLogger(),
      now: clock.now,
      sleep: clock.sleep,
      workerId: "w-test",
      concurrency: 1,
      leaseMs: 60_000,
      maxAttempts: 3,
      poll: false,
      ...overrides,
    });
  }

  async function push(clock: FakeClock): Promise<Environment> {
    const { environment } = await submitIntent(
      { ...stores, nameMaxLength: 40 },
      {
        type: "deploy",
        identity: { kind: "branch", repository: repository.name, branch: "lease" },
        commitSha: sha,
        cause: { actor: "octocat", message: "push" },
      },
      clock.now(),
    );
    if (!environment) throw new Error("the push queued no environment");
    return environment;
  }

  /** Runs one wake to its end on the fake clock. */
  async function wake(clock: FakeClock, worker: ReturnType<typeof createWorker>, environmentId: string) {
    let outcome: Awaited<ReturnType<typeof worker.handleWake>> | undefined;
    const running = worker.handleWake(environmentId).then((o) => {
      outcome = o;
    });
    await clock.runUntil(() => outcome !== undefined);
    await running;
    return outcome;
  }

  describe("when a renewal fails", () => {
    it("tries again while the lease has time, and the engine goes on", async () => {
      const clock = startClock();
      const environment = await push(clock);
      const { queue, counts } = failingRenewals(inFlight.track(stores.queue), 1);
      const engine = fakeEngine(clock, () => counts.calls >= 3);
      const worker = makeWorker(clock, { queue, provisioner: engine.provisioner, leaseMs: 900 });

      await wake(clock, worker, environment.id);

      expect(counts).toMatchObject({ failed: 1 });
      expect(counts.calls).toBeGreaterThanOrEqual(3);
      expect(engine.runs.map((run) => run.abortedAt)).toEqual([undefined]);
      expect(await stores.registry.getEnvironment(environment.id)).toMatchObject({ status: "ready" });
      expect(await stores.queue.listPending(environment.id)).toEqual([]);
      const codes = (await stores.registry.listEvents(environment.id)).map((e) => e.errorCode);
      expect(codes).not.toContain("LEASE_LOST");
    });

    it("stops the engine before the lease runs out and hands the job back with LEASE_LOST, not as a destroy", async () => {
      const clock = startClock();
      const environment = await push(clock);
      const { queue } = failingRenewals(inFlight.track(stores.queue), Number.POSITIVE_INFINITY);
      const engine = fakeEngine(clock);
      const worker = makeWorker(clock, { queue, provisioner: engine.provisioner, leaseMs: 900 });

      const outcome = await wake(clock, worker, environment.id);

      expect(outcome).toEqual({ ran: 1, handedBack: true });
      const [run] = engine.runs;
      expect(run?.abortedAt).toBeDefined();
      // Stopped while the lease still held: nobody else can have started on the stack yet.
      expect(run?.abortedAt).toBeLessThan(t0.getTime() + 900);
      // Handed back, not completed: it runs again (attempt 2), and the environment is not left behind.
      expect(await stores.queue.listPending(environment.id)).toMatchObject([{ type: "deploy", attempt: 2 }]);
      const events = await stores.registry.listEvents(environment.id);
      expect(events.at(-1)).toMatchObject({ type: "retry_scheduled", errorCode: "LEASE_LOST" });
      expect(events.map((e) => e.type)).not.toContain("deploy_aborted");
      expect(events.map((e) => e.errorCode)).not.toContain("DEPLOY_CANCELLED");
      expect((await stores.registry.getEnvironment(environment.id))?.status).not.toBe("failed");
    });
  });

  describe("a job taken over from an expired lease", () => {
    /** The job claimed by a worker that then went silent (died, or lost its store), at t0. */
    async function abandon(clock: FakeClock, environmentId: string) {
      expect(await stores.queue.claim("w-gone", clock.now(), 60_000, environmentId)).toBeDefined();
    }

    it("starts its engine only once the previous lease's expiry plus the grace has passed", async () => {
      const clock = startClock();
      const environment = await push(clock);
      await abandon(clock, environment.id);
      await clock.advance(60_000);
      const engine = fakeEngine(clock, () => true);
      const worker = makeWorker(clock, { provisioner: engine.provisioner, takeoverGraceMs: 30_000 });

      expect(await wake(clock, worker, environment.id)).toEqual({ ran: 1, handedBack: false });

      expect(engine.runs).toHaveLength(1);
      expect(engine.runs[0]?.startedAt).toBeGreaterThanOrEqual(t0.getTime() + 60_000 + 30_000);
      expect(await stores.registry.getEnvironment(environment.id)).toMatchObject({ status: "ready" });
      expect(await stores.queue.listPending(environment.id)).toEqual([]);
    });

    it("keeps the lease while it waits: nobody takes the job over from the waiting worker", async () => {
      const clock = startClock();
      const environment = await push(clock);
      await abandon(clock, environment.id);
      await clock.advance(60_000);
      const engine = fakeEngine(clock, () => true);
      // A grace longer than the lease: the waiting worker must renew it.
      const worker = makeWorker(clock, { provisioner: engine.provisioner, takeoverGraceMs: 150_000 });
      let outcome: unknown;
      const running = worker.handleWake(environment.id).then((o) => {
        outcome = o;
      });
      await clock.runUntil(() => clock.now().getTime() >= t0.getTime() + 60_000 + 120_000);
      expect(await stores.queue.claim("w-other", clock.now(), 60_000, environment.id)).toBeUndefined();
      expect(engine.runs).toEqual([]);
      await clock.runUntil(() => outcome !== undefined);
      await running;
      expect(engine.runs[0]?.startedAt).toBeGreaterThanOrEqual(t0.getTime() + 60_000 + 150_000);
    });

    it("lets a destroy asked while it waits supersede the deploy, and starts the destroy only after the grace", async () => {
      const clock = startClock();
      const environment = await push(clock);
      await abandon(clock, environment.id);
      await clock.advance(60_000);
      const engine = fakeEngine(clock, () => true);
      const worker = makeWorker(clock, { provisioner: engine.provisioner, takeoverGraceMs: 30_000 });
      let outcome: unknown;
      const running = worker.handleWake(environment.id).then((o) => {
        outcome = o;
      });
      await clock.advance(5_000);
      await submitIntent(
        { ...stores, nameMaxLength: 40 },
        {
          type: "destroy",
          identity: { kind: "branch", repository: repository.name, branch: "lease" },
          cause: { actor: "octocat", message: "branch deleted" },
        },
        clock.now(),
      );
      await clock.runUntil(() => outcome !== undefined);
      await running;

      expect(engine.runs).toEqual([]);
      expect(engine.destroys).toHaveLength(1);
      expect(engine.destroys[0]).toBeGreaterThanOrEqual(t0.getTime() + 60_000 + 30_000);
      expect(await stores.registry.getEnvironment(environment.id)).toMatchObject({ status: "destroyed" });
    });

    it("hands the job back for after the grace when the invocation's deadline comes first, with no DEPLOY_TIMEOUT", async () => {
      const clock = startClock();
      const environment = await push(clock);
      await abandon(clock, environment.id);
      await clock.advance(60_000);
      const engine = fakeEngine(clock, () => true);
      const worker = makeWorker(clock, { provisioner: engine.provisioner, takeoverGraceMs: 120_000 });
      const deadline = clock.now().getTime() + 150_000;
      let outcome: unknown;
      const running = worker
        .handleWake(environment.id, { remainingMs: () => deadline - clock.now().getTime() })
        .then((o) => {
          outcome = o;
        });
      await clock.runUntil(() => outcome !== undefined);
      await running;

      expect(outcome).toEqual({ ran: 1, handedBack: true });
      expect(engine.runs).toEqual([]);
      expect(await stores.queue.listPending(environment.id)).toMatchObject([
        { runAfter: new Date(t0.getTime() + 60_000 + 120_000).toISOString() },
      ]);
      expect(await stores.queue.claim("w-other", clock.now(), 60_000, environment.id)).toBeUndefined();
      const codes = (await stores.registry.listEvents(environment.id)).map((e) => e.errorCode);
      expect(codes).not.toContain("DEPLOY_TIMEOUT");
    });

    it("starts a job handed back by its holder at once: that holder's engine had stopped", async () => {
      const clock = startClock();
      const environment = await push(clock);
      const held = await stores.queue.claim("w-gone", clock.now(), 60_000, environment.id);
      if (!held) throw new Error("expected to claim the push's job");
      await stores.queue.retry(held.id, "w-gone", clock.now());
      const engine = fakeEngine(clock, () => true);
      const worker = makeWorker(clock, { provisioner: engine.provisioner, takeoverGraceMs: 30_000 });

      await wake(clock, worker, environment.id);

      expect(engine.runs.map((run) => run.startedAt)).toEqual([t0.getTime()]);
    });
  });
});
