import { beforeEach, describe, expect, it } from "vitest";
import { StackforkError } from "../core/errors.ts";
import { submitIntent } from "../intake/submit-intent.ts";
import type { Provisioner } from "../provisioner/provisioner.ts";
import { createFakeClock, type FakeClock } from "../test/support/fake-clock.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { trackInFlight } from "../test/support/track-in-flight.ts";
import { createWorker } from "./create-worker.ts";

const repository = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local" as const,
  ttlHours: 72,
};
const sha = "a".repeat(40);
const t0 = new Date("2030-01-01T00:00:00.000Z");
/** Lambda's 15 minutes. */
const INVOCATION_MS = 15 * 60_000;

/** A deploy that runs until it is told to stop, as an engine that needs longer than the invocation. */
const endlessProvisioner: Provisioner = {
  deploy: ({ signal }) =>
    new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(new StackforkError("DEPLOY_CANCELLED", "stopped"))),
    ),
  destroy: async () => ({ changes: {} }),
};

// The worker Lambda's path (worker.handleWake) with the real SQLite stores, on a fake clock: the
// deadline stops the engine, the job goes back once, and a job that runs out of time twice fails
// instead of looping. Lambda's real 15 minutes and the default margin, in milliseconds of test.
describe("worker.handleWake", () => {
  const stores = useSqliteStores();
  let clock: FakeClock;
  let worker: () => ReturnType<typeof createWorker>;
  beforeEach(() => {
    const inFlight = trackInFlight();
    clock = createFakeClock(t0, { busy: inFlight.busy });
    worker = () =>
      createWorker({
        registry: inFlight.track(stores.registry),
        queue: inFlight.track(stores.queue),
        provisioner: endlessProvisioner,
        notifier: { notify: async () => {} },
        findRepository: () => repository,
        log: createRecordingLogger(),
        now: clock.now,
        sleep: clock.sleep,
        workerId: "lambda-test",
        concurrency: 1,
        leaseMs: 60_000,
        maxAttempts: 3,
        poll: false,
      });
  });
  /** An invocation of `ms`, counted down on the fake clock as Lambda's context counts it. */
  const invocation = (ms: number) => {
    const deadline = clock.now().getTime() + ms;
    return { remainingMs: () => deadline - clock.now().getTime() };
  };
  /** One wake, run to its end on the fake clock. */
  const wake = async (environmentId: string, options = invocation(INVOCATION_MS)) => {
    let outcome: Awaited<ReturnType<ReturnType<typeof worker>["handleWake"]>> | undefined;
    const handled = worker()
      .handleWake(environmentId, options)
      .then((o) => {
        outcome = o;
      });
    await clock.runUntil(() => outcome !== undefined);
    await handled;
    return outcome;
  };
  const push = async () => {
    const { environment } = await submitIntent(
      { ...stores, nameMaxLength: 40 },
      {
        type: "deploy",
        identity: { kind: "branch", repository: repository.name, branch: "slow" },
        commitSha: sha,
        cause: { actor: "octocat", message: "push" },
      },
      clock.now(),
    );
    if (!environment) throw new Error("the push queued no environment");
    return environment;
  };

  it("acknowledges a wake with nothing claimable and does nothing", async () => {
    expect(await wake("env-nothing")).toEqual({
      ran: 0,
      handedBack: false,
    });
  });

  it("stops the engine before the deadline and hands the job back; the second time, fails with DEPLOY_TIMEOUT", async () => {
    const environment = await push();

    const first = await wake(environment.id);
    expect(first).toEqual({ ran: 1, handedBack: true });
    // Stopped at the default margin (60 s) before the invocation's end, not later.
    expect(clock.now().getTime()).toBeLessThanOrEqual(t0.getTime() + INVOCATION_MS - 60_000);
    const [again] = await stores.queue.listPending(environment.id);
    expect(again).toMatchObject({ attempt: 2, commitSha: sha });
    const afterFirst = await stores.registry.listEvents(environment.id);
    expect(afterFirst.filter((e) => e.errorCode === "DEPLOY_TIMEOUT").map((e) => e.type)).toEqual(["retry_scheduled"]);

    const second = await wake(environment.id);
    expect(second?.ran).toBe(1);
    expect(await stores.queue.listPending(environment.id)).toEqual([]);
    const failed = await stores.registry.getEnvironment(environment.id);
    expect(failed).toMatchObject({ status: "failed", lastError: { code: "DEPLOY_TIMEOUT" } });
  });

  it("starts no job when the invocation has less than the margin left", async () => {
    const environment = await push();
    expect(await wake(environment.id, invocation(90_000))).toEqual({ ran: 0, handedBack: true });
    expect(await stores.queue.listPending(environment.id)).toHaveLength(1);
  });
});
