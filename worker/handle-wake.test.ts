import { describe, expect, it } from "vitest";
import { StackforkError } from "../core/errors.ts";
import type { Provisioner } from "../provisioner/provisioner.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { createWorker } from "./create-worker.ts";
import { submitIntent } from "./submit-intent.ts";

const repository = {
  name: "acme/api",
  stackPath: "stacks/service",
  defaultBranch: "main",
  target: "local" as const,
  ttlHours: 72,
};
const sha = "a".repeat(40);

/** A deploy that runs until it is told to stop, as an engine that needs longer than the invocation. */
const endlessProvisioner: Provisioner = {
  deploy: ({ signal }) =>
    new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(new StackforkError("DEPLOY_CANCELLED", "stopped"))),
    ),
  destroy: async () => ({ changes: {} }),
};

// The worker Lambda's path (worker.handleWake) with the real SQLite stores: the deadline stops the
// engine, the job goes back once, and a job that runs out of time twice fails instead of looping.
describe("worker.handleWake", () => {
  const stores = useSqliteStores();
  const worker = () =>
    createWorker({
      ...stores,
      provisioner: endlessProvisioner,
      notifier: { notify: async () => {} },
      findRepository: () => repository,
      log: createRecordingLogger(),
      now: () => new Date(),
      workerId: "lambda-test",
      concurrency: 1,
      leaseMs: 60_000,
      maxAttempts: 3,
      poll: false,
      deadlineMarginMs: 200,
    });
  const push = async () => {
    const { environment } = await submitIntent(
      { ...stores, nameMaxLength: 40 },
      {
        type: "deploy",
        identity: { kind: "branch", repository: repository.name, branch: "slow" },
        commitSha: sha,
        cause: { actor: "octocat", message: "push" },
      },
      new Date(),
    );
    if (!environment) throw new Error("the push queued no environment");
    return environment;
  };

  it("acknowledges a wake with nothing claimable and does nothing", async () => {
    expect(await worker().handleWake("env-nothing", { remainingMs: () => 10_000 })).toEqual({
      ran: 0,
      handedBack: false,
    });
  });

  it("stops the engine before the deadline and hands the job back; the second time, fails with DEPLOY_TIMEOUT", async () => {
    const environment = await push();
    const invocation = (ms: number) => {
      const started = Date.now();
      return { remainingMs: () => ms - (Date.now() - started) };
    };

    const first = await worker().handleWake(environment.id, invocation(600));
    expect(first).toEqual({ ran: 1, handedBack: true });
    const [again] = await stores.queue.listPending(environment.id);
    expect(again).toMatchObject({ attempt: 2, commitSha: sha });
    const afterFirst = await stores.registry.listEvents(environment.id);
    expect(afterFirst.filter((e) => e.errorCode === "DEPLOY_TIMEOUT").map((e) => e.type)).toEqual(["retry_scheduled"]);

    const second = await worker().handleWake(environment.id, invocation(600));
    expect(second.ran).toBe(1);
    expect(await stores.queue.listPending(environment.id)).toEqual([]);
    const failed = await stores.registry.getEnvironment(environment.id);
    expect(failed).toMatchObject({ status: "failed", lastError: { code: "DEPLOY_TIMEOUT" } });
  });

  it("starts no job when the invocation has less than the margin left", async () => {
    const environment = await push();
    expect(await worker().handleWake(environment.id, { remainingMs: () => 300 })).toEqual({ ran: 0, handedBack: true });
    expect(await stores.queue.listPending(environment.id)).toHaveLength(1);
  });
});
