import { describe, expect, it } from "vitest";
import type { EnvironmentIdentity } from "../core/environment.ts";
import { submitIntent } from "../intake/submit-intent.ts";
import type { JobQueue } from "../queue/job-queue.ts";
import { createRecordingLogger } from "../test/support/recording-logger.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";
import { repairUnqueuedEnvironments } from "./repair-unqueued-environments.ts";

const NOW = new Date("2026-11-27T12:00:00.000Z");
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const [A, B] = ["a".repeat(40), "b".repeat(40)];
const branch = (name: string): EnvironmentIdentity => ({ kind: "branch", repository: "acme/api", branch: name });
const fork = (pullRequest: number): EnvironmentIdentity => ({
  kind: "pull_request",
  repository: "acme/api",
  pullRequest,
  branch: "main",
});
const cause = { actor: "octocat", message: "push" };

describe("repairUnqueuedEnvironments", () => {
  const stores = useSqliteStores();
  const submit = (identity: EnvironmentIdentity, commitSha: string | undefined, at: Date, queue = stores.queue) =>
    submitIntent({ ...stores, queue, nameMaxLength: 40 }, { type: "deploy", identity, commitSha, cause }, at);
  const repair = (options: { queue?: JobQueue; minAgeMs?: number; wakeWorker?: () => void } = {}) =>
    repairUnqueuedEnvironments({
      ...stores,
      log: createRecordingLogger(),
      now: () => NOW,
      ...options,
    });
  /** What a crash between the intake's two writes leaves: the environment, `queued`, and no job. */
  const createdButNeverQueued = (identity: EnvironmentIdentity, at = minutesAgo(10)) =>
    stores.registry.ensureEnvironment(identity, { status: "queued", now: at, nameMaxLength: 40 });
  /** A deploy asked for, its job then gone while the environment says `deploying` (a lease taken for a destroy). */
  const deployingWithNoJob = async (identity: EnvironmentIdentity) => {
    const { queue, registry } = stores;
    await submit(identity, A, minutesAgo(20));
    const queued = await submit(identity, B, minutesAgo(20));
    if (queued.outcome !== "queued") throw new Error("expected the push to be queued");
    await queue.claim("w-1", minutesAgo(19), 60_000);
    await registry.updateEnvironment(queued.environment.id, { status: "deploying" }, minutesAgo(19));
    await queue.complete(queued.jobId, "w-1");
    return queued.environment;
  };

  it("queues a deploy again, at the last commit asked for, for an environment left queued or deploying with no job", async () => {
    const { registry, queue } = stores;
    const crashed = await createdButNeverQueued(branch("crashed"));
    const stranded = await deployingWithNoJob(branch("stranded"));
    let woken = 0;

    const repaired = await repair({ wakeWorker: () => woken++ });

    expect(repaired.sort()).toEqual([crashed.id, stranded.id].sort());
    expect(woken).toBeGreaterThan(0);
    const [crashedJob] = await queue.listPending(crashed.id);
    // Nothing was recorded before the crash: the head of the branch is the commit to deploy.
    expect(crashedJob).toMatchObject({ type: "deploy", reason: { actor: "stackfork" } });
    expect(crashedJob?.commitSha).toBeUndefined();
    expect(await queue.listPending(stranded.id)).toMatchObject([{ type: "deploy", commitSha: B }]);
    for (const [environment, job] of [
      [crashed, crashedJob],
      [stranded, (await queue.listPending(stranded.id))[0]],
    ] as const) {
      expect(await registry.getEnvironment(environment.id)).toMatchObject({ status: "queued" });
      expect((await registry.listEvents(environment.id)).at(-1)).toMatchObject({
        type: "deploy_requested",
        actor: "stackfork",
        errorCode: "JOB_LOST",
        jobId: job?.id,
      });
    }
    // Repaired: the next sweep finds nothing.
    expect(await repair()).toEqual([]);
  });

  it("queues a destroy again for an environment left destroying with no job", async () => {
    const { registry, queue } = stores;
    const environment = await seedEnvironment(registry, branch("gone"), "destroying", minutesAgo(10));

    expect(await repair()).toEqual([environment.id]);

    const [job] = await queue.listPending(environment.id);
    expect(job).toMatchObject({ type: "destroy", reason: { actor: "stackfork" } });
    expect(await registry.getEnvironment(environment.id)).toMatchObject({ status: "destroying" });
    expect((await registry.listEvents(environment.id)).at(-1)).toMatchObject({
      type: "destroy_requested",
      actor: "stackfork",
      errorCode: "JOB_LOST",
      jobId: job?.id,
    });
  });

  it("leaves alone environments with a job (queued, running, or left by a dead lease), settled ones, and recent ones", async () => {
    const { registry, queue } = stores;
    await submit(branch("queued-job"), A, minutesAgo(10));
    const running = await submit(branch("running-job"), A, minutesAgo(10));
    const dead = await submit(branch("dead-lease"), A, minutesAgo(10));
    expect(await queue.claim("w-1", minutesAgo(10), 60_000, dead.environment?.id)).toBeDefined();
    expect(await queue.claim("w-2", NOW, 60_000, running.environment?.id)).toBeDefined();
    await seedEnvironment(registry, branch("ready"), "ready", minutesAgo(10));
    await seedEnvironment(registry, branch("failed"), "failed", minutesAgo(10));
    const recent = await createdButNeverQueued(branch("recent"), minutesAgo(1));
    const jobs = await queue.listPending();
    const statuses = (await registry.listEnvironments()).environments.map((e) => [e.id, e.status, e.updatedAt]);

    expect(await repair()).toEqual([]);
    expect(await queue.listPending()).toStrictEqual(jobs);
    expect((await registry.listEnvironments()).environments.map((e) => [e.id, e.status, e.updatedAt])).toEqual(
      statuses,
    );
    // The grace is the caller's to choose.
    expect(await repair({ minAgeMs: 30_000 })).toEqual([recent.id]);
  });

  it("sends a fork's pull request whose approved commit is not known back to approval, never to the head of its branch", async () => {
    const { registry, queue } = stores;
    const unknown = await createdButNeverQueued(fork(7));
    const known = await createdButNeverQueued(fork(8));
    await registry.appendEvent({
      environmentId: known.id,
      at: minutesAgo(10).toISOString(),
      type: "deploy_requested",
      message: "/stackfork deploy",
      actor: "maintainer",
      commitSha: A,
    });

    expect((await repair()).sort()).toEqual([unknown.id, known.id].sort());

    expect(await queue.listPending(unknown.id)).toEqual([]);
    expect(await registry.getEnvironment(unknown.id)).toMatchObject({ status: "awaiting_approval" });
    expect((await registry.listEvents(unknown.id)).at(-1)).toMatchObject({ actor: "stackfork", errorCode: "JOB_LOST" });
    expect(await queue.listPending(known.id)).toMatchObject([{ type: "deploy", commitSha: A }]);
  });

  describe("racing an intake", () => {
    /** The queue, where a push of B for the environment lands just before the sweep's enqueue. */
    const pushFirst = (identity: EnvironmentIdentity, claim: boolean): JobQueue => ({
      ...stores.queue,
      enqueueIfIdle: async (input, now) => {
        await submit(identity, B, now);
        if (claim) await stores.queue.claim("w-1", now, 60_000, input.environmentId);
        return stores.queue.enqueueIfIdle(input, now);
      },
    });

    for (const claim of [false, true]) {
      it(`adds nothing beside the push's job ${claim ? "running" : "queued"} meanwhile: the push's commit wins`, async () => {
        const { registry } = stores;
        const environment = await createdButNeverQueued(branch("racing"));
        await registry.appendEvent({
          environmentId: environment.id,
          at: minutesAgo(10).toISOString(),
          type: "deploy_requested",
          message: "push",
          commitSha: A,
        });

        expect(await repair({ queue: pushFirst(branch("racing"), claim) })).toEqual([]);

        expect(await stores.queue.listPending(environment.id)).toMatchObject([
          { type: "deploy", commitSha: B, reason: { actor: "octocat" } },
        ]);
        expect((await registry.listEvents(environment.id)).map((e) => e.errorCode)).not.toContain("JOB_LOST");
      });
    }
  });
});
