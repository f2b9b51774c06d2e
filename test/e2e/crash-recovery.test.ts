import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../../core/environment.ts";
import { createAwsJobQueue } from "../../queue/aws-job-queue.ts";
import { createSqliteJobQueue } from "../../queue/sqlite-job-queue.ts";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import { createSeededRandom } from "../support/create-seeded-random.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../support/embedded-server.ts";
import { findEngineProcesses } from "../support/find-engine-processes.ts";
import { createFixtureRepository, type FixtureRepository } from "../support/fixture-repository.ts";
import { readProcesses } from "../support/read-processes.ts";
import { readUpdateHistory, type UpdateRecord } from "../support/read-update-history.ts";
import { listStackLocks, stopProcessesMentioning } from "../support/stack-state.ts";
import { startThrottlingProxy, type ThrottlingProxy } from "../support/throttling-proxy.ts";
import { watchStackEngines } from "../support/watch-stack-engines.ts";
import { pushPayload } from "../support/webhook-deliveries.ts";

const REPO = "acme/api";
const PROJECT = "acme-api";
// The moments of the kills and pushes are drawn from this seed; CRASH_RECOVERY_SEED=<n> draws the
// same ones again (the machine's own timing still varies).
const SEED = process.env.CRASH_RECOVERY_SEED ? Number(process.env.CRASH_RECOVERY_SEED) : undefined;

const queuedId = (body: Record<string, unknown>) =>
  (body.queued as { environment: string }[])[0]?.environment as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails with `describe()` after `timeoutMs`. */
async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => Promise<string>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not settled in time:\n${await describe()}`);
    await sleep(500);
  }
}

/** Updates that ran at once: one starting before an earlier-started one ended (whole seconds, as recorded). */
function findInterleavedUpdates(updates: UpdateRecord[]): [UpdateRecord, UpdateRecord][] {
  const interleaved: [UpdateRecord, UpdateRecord][] = [];
  let latest: UpdateRecord | undefined;
  for (const update of updates) {
    if (latest && update.startTime < latest.endTime) interleaved.push([latest, update]);
    if (!latest || update.endTime > latest.endTime) latest = update;
  }
  return interleaved;
}

/** The processes of an environment's local copy: run-copy.ts, on the copy's own data dir. */
const copyProcessesOf = (dataDir: string, name: string) =>
  readProcesses().filter(
    (p) => p.args.some((arg) => arg.endsWith("/run-copy.ts")) && p.args.includes(path.join(dataDir, "copies", name)),
  );

const summarize = (envs: Environment[]) =>
  envs.map((e) => `${e.branch}: ${e.status} @ ${e.commitSha?.slice(0, 7) ?? "-"}`).join(", ");

// Issue 17, "Nothing stuck, nothing approved by accident": a server killed -9 at any moment and
// started again on the same data dir loses no work, runs no stack twice at once, and leaves no engine.
describe("crash recovery on the AWS adapters, a quarter of DynamoDB and SQS requests throttled", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer | undefined;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;
  let proxy: ThrottlingProxy;
  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      // The shortest lease and grace the config allows: a lost job comes back within a minute.
      extraConfig: { leaseSeconds: 20, reapIntervalSeconds: 5, takeoverGraceSeconds: 21 },
      // The server's DynamoDB and SQS requests (registry, jobs, wakes) go through the proxy.
      env: { ...aws.env, AWS_ENDPOINT_URL: proxy.url },
    });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-crash-aws-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    aws = await createAwsStackforkEnv("crash");
    proxy = await startThrottlingProxy({
      target: process.env.AWS_ENDPOINT_URL ?? "",
      share: { dynamodb: 0.25, sqs: 0.25 },
    });
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    await proxy?.close();
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("three branches, killed -9 three times at random moments: all ready at their newest commit, one engine at a time per stack", {
    timeout: 480_000,
  }, async () => {
    const random = createSeededRandom(SEED);
    console.log(
      `crash recovery on AWS: seed ${random.seed} (CRASH_RECOVERY_SEED=${random.seed} to draw the same moments)`,
    );
    const engines = watchStackEngines(dataDir);
    let current = await start();
    server = current;
    const branches = ["crash/alpha", "crash/beta", "crash/gamma"];
    // Two pushes a branch (the first at once, the second at a random moment) and three kills, in one
    // timeline: a kill may land anywhere, in an intake, a claim, an engine's update, a restart's first seconds.
    const steps = [
      ...branches.map((branch) => ({ at: 0, branch })),
      ...branches.map((branch) => ({ at: random.between(2_000, 30_000), branch })),
      ...[1, 2, 3].map(() => ({ at: random.between(1_000, 40_000), branch: undefined })),
    ].sort((a, b) => a.at - b.at);
    const ids = new Map<string, string>();
    const newest = new Map<string, string>();
    const startedAt = Date.now();
    for (const step of steps) {
      await sleep(startedAt + step.at - Date.now());
      if (step.branch) {
        const sha = repo.commit(step.branch, `${step.branch} at ${step.at}`);
        const answer = await current.deliver("push", pushPayload(REPO, step.branch, sha));
        expect(answer.status).toBe(202);
        if (!ids.has(step.branch)) ids.set(step.branch, queuedId(answer.body));
        newest.set(step.branch, sha);
        continue;
      }
      const envs = await Promise.all([...ids.values()].map((id) => current.environment(id)));
      console.log(
        `kill -9 at ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${summarize(envs)}; ${findEngineProcesses(dataDir).length} engine processes`,
      );
      await current.stop("SIGKILL");
      current = await start();
      server = current;
    }

    // Left alone: every environment gets to its newest commit, whatever was cut off where.
    const envs = await Promise.all(
      branches.map((branch) =>
        current.waitFor(
          ids.get(branch) as string,
          (e) => (e.status === "ready" && e.commitSha === newest.get(branch)) || e.status === "failed",
          300_000,
        ),
      ),
    );
    for (const [i, env] of envs.entries()) {
      expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
      expect(env.commitSha).toBe(newest.get(branches[i] as string));
      expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: env.commitSha });
      // One copy: none left behind by an update cut off between starting a copy and recording it.
      expect(copyProcessesOf(dataDir, env.name)).toHaveLength(1);
    }
    // None stuck: no job left queued or running behind a `ready`.
    const queue = createAwsJobQueue({ clients: aws.clients, resources: aws.resources });
    await waitUntil(
      async () => (await queue.listPending()).length === 0,
      30_000,
      async () => JSON.stringify(await queue.listPending(), null, 2),
    );

    // One engine at a time per stack: never two seen at once, and the stacks' update histories
    // (written by the engines themselves) hold no update started before the previous one ended.
    const watched = engines.stop();
    expect(watched.overlaps).toEqual([]);
    for (const env of envs) {
      expect(watched.runs[env.name] ?? 0).toBeGreaterThan(0);
      const updates = await readUpdateHistory(aws.clients.s3, aws.bucket, PROJECT, env.name);
      expect(updates.length).toBeGreaterThan(0);
      expect(findInterleavedUpdates(updates)).toEqual([]);
      expect(updates.at(-1)).toMatchObject({ kind: "update", result: "succeeded" });
    }
    // The throttling was real: the SDK met throttling errors from both services and retried them.
    expect(proxy.counters.throttled.dynamodb).toBeGreaterThan(0);
    expect(proxy.counters.throttled.sqs).toBeGreaterThan(0);
  });
});

describe("a delivery burst cut by kill -9", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer | undefined;
  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      extraConfig: { leaseSeconds: 5, reapIntervalSeconds: 5 },
    });

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-crash-burst-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("50 pushes to 10 branches in flight, the server killed among them: each branch ends at its last accepted commit", {
    timeout: 420_000,
  }, async () => {
    const random = createSeededRandom(SEED);
    console.log(`delivery burst: seed ${random.seed} (CRASH_RECOVERY_SEED=${random.seed} to draw the same moment)`);
    const branches = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    // Every commit exists before its push, as on GitHub; the branch moves to it just before the push.
    const commits = new Map(
      branches.map((branch) => [
        branch,
        [1, 2, 3, 4, 5].map((n) => repo.commit(`unpushed/${branch}`, `${branch} ${n}`)),
      ]),
    );
    // Asynchronous: this process must keep up with the server's answers meanwhile.
    const moveBranch = (branch: string, sha: string) =>
      promisify(execFile)("git", ["update-ref", `refs/heads/${branch}`, sha], { cwd: repo.dir });

    const first = await start();
    server = first;
    // The kill comes a few milliseconds after the n-th push is sent: that push and the others on their
    // way are anywhere between the socket and the answer.
    const killAt = random.between(10, 35);
    const killDelayMs = random.between(0, 20);
    const accepted = new Map<string, string>();
    // A push whose request the kill cut off may or may not have been taken: it was not accepted,
    // yet the server may have written it before it died.
    const cutOff = new Map<string, string>();
    const statuses: number[] = [];
    const failedBeforeTheKill: unknown[] = [];
    let killing: Promise<void> | undefined;
    let sent = 0;
    await Promise.all(
      branches.map(async (branch) => {
        for (const sha of commits.get(branch) ?? []) {
          if (killing) return;
          await moveBranch(branch, sha);
          if (killing) return;
          cutOff.set(branch, sha);
          const answering = first.deliver("push", pushPayload(REPO, branch, sha));
          if (++sent === killAt) void sleep(killDelayMs).then(() => (killing ??= first.stop("SIGKILL")));
          try {
            const answer = await answering;
            statuses.push(answer.status);
            cutOff.delete(branch);
            if (answer.status !== 202) return;
            accepted.set(branch, sha);
          } catch (err) {
            if (!killing) failedBeforeTheKill.push(err);
            return; // the server died under this request
          }
        }
      }),
    );
    await killing;
    console.log(
      `killed ${killDelayMs} ms after push ${killAt} was sent: ${statuses.length} answered, ${accepted.size} branches with an accepted push, ${cutOff.size} cut off`,
    );
    expect(failedBeforeTheKill).toEqual([]);
    expect(statuses).toEqual(Array(statuses.length).fill(202));
    expect(statuses.length).toBeLessThan(50);

    const restarted = await start();
    server = restarted;
    const queue = createSqliteJobQueue({ file: path.join(dataDir, "queue.db") });
    try {
      const allowed = (branch: string) => [accepted.get(branch), cutOff.get(branch)].filter(Boolean);
      const envsNow = async () => (await restarted.environments()).environments;
      // Settled: every branch with an accepted push has an environment, every environment is ready
      // at a commit its branch may end at, and no job is left for any of them.
      const settled = async () => {
        const envs = await envsNow();
        if ([...accepted.keys()].some((branch) => !envs.some((e) => e.branch === branch))) return false;
        for (const env of envs) {
          if (env.status !== "ready" || !allowed(env.branch).includes(env.commitSha)) return false;
          if ((await queue.listPending(env.id)).length > 0) return false;
        }
        return true;
      };
      await waitUntil(settled, 330_000, async () => summarize(await envsNow()));
      const envs = await envsNow();
      for (const branch of accepted.keys()) {
        const env = envs.find((e) => e.branch === branch);
        expect(env?.status).toBe("ready");
        expect(allowed(branch)).toContain(env?.commitSha);
        expect(await (await fetch(`${env?.directUrl}/`)).json()).toMatchObject({ branch, commit: env?.commitSha });
      }
      for (const env of envs) expect(copyProcessesOf(dataDir, env.name)).toHaveLength(1);
      // A branch whose every push was cut off has an environment only if the server took that push.
      for (const env of envs.filter((e) => !accepted.has(e.branch))) expect(env.commitSha).toBe(cutOff.get(env.branch));
      const past = envs.filter((e) => e.commitSha !== accepted.get(e.branch)).map((e) => e.branch);
      console.log(`settled: ${envs.length} environments; at a cut-off push's commit: ${past.join(", ") || "none"}`);
    } finally {
      await queue.close();
    }
  });
});

describe("engine processes after kill -9 mid-deploy", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer | undefined;
  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      extraConfig: { leaseSeconds: 5, reapIntervalSeconds: 5 },
    });

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-crash-engine-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("kill -9 while the engine runs, restart, ready, SIGTERM: no engine process is left, only the copy", {
    timeout: 240_000,
  }, async () => {
    const first = await start();
    server = first;
    const sha = repo.commit("mid-deploy", "mid-deploy");
    const id = queuedId((await first.deliver("push", pushPayload(REPO, "mid-deploy", sha))).body);
    // Deploying, with the engine inside its update: a runner, the CLI's `up` and its plugins.
    const updating = () => findEngineProcesses(dataDir).some((p) => p.args[1] === "up");
    await first.waitFor(id, (e) => e.status === "deploying" && updating(), 60_000);
    await first.stop("SIGKILL");
    console.log(`left running by the kill: ${findEngineProcesses(dataDir).length} engine processes`);

    const restarted = await start();
    server = restarted;
    const env = await restarted.waitFor(
      id,
      (e) => (e.status === "ready" && e.commitSha === sha) || e.status === "failed",
    );
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: sha });

    await restarted.stop("SIGTERM");
    expect(restarted.exitCode()).toBe(0);
    // Ended with their runners (SIGKILL takes a moment to be reaped): none by marker, none by command line.
    await waitUntil(
      () => findEngineProcesses(dataDir).length === 0,
      15_000,
      async () =>
        findEngineProcesses(dataDir)
          .map((p) => `${p.pid} ${p.runMarker ?? "-"} ${p.args.join(" ")}`)
          .join("\n"),
    );
    expect(findEngineProcesses(dataDir)).toEqual([]);
    // The copy outlives the server by design: one process, its own, serving the deployed commit.
    const copies = copyProcessesOf(dataDir, env.name);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.runMarker).toBeUndefined();
    expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: sha });
  });
});

// The machine goes down (power, OOM killer, a container killed): the engine dies with the server,
// before it can release the stack's lock. The next start must recover the lock of a stack that was
// already deployed, from the checkout of the new commit. On the AWS adapters a plain kill -9 of the
// server often ends the same way (the S3 lock outlives the engine): the first test meets it too.
describe("a stack left locked by a crash of server and engine", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let server: EmbeddedServer | undefined;
  const start = () =>
    startEmbeddedServer({
      dataDir,
      repositories: [{ name: REPO, localPath: repo.dir }],
      extraConfig: { leaseSeconds: 5 },
    });

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-crash-locked-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
  });
  afterAll(async () => {
    await server?.stop();
    stopProcessesMentioning(work);
    rmSync(work, { recursive: true, force: true });
  });

  it("kill -9 of server and engine while a second commit deploys, restart: the lock is recovered, ready at the second commit", {
    timeout: 240_000,
  }, async () => {
    const first = await start();
    server = first;
    const a = repo.commit("second", "first commit");
    const id = queuedId((await first.deliver("push", pushPayload(REPO, "second", a))).body);
    await first.waitFor(id, (e) => e.status === "ready" && e.commitSha === a);
    const b = repo.commit("second", "second commit");
    expect((await first.deliver("push", pushPayload(REPO, "second", b))).status).toBe(202);
    await first.waitFor(id, (e) => e.status === "deploying" && listStackLocks(dataDir).length > 0, 60_000);
    // The engine first, the server at once after (both signals before either can act).
    for (const p of findEngineProcesses(dataDir)) process.kill(p.pid, "SIGKILL");
    await first.stop("SIGKILL");
    expect(listStackLocks(dataDir)).not.toEqual([]);

    const restarted = await start();
    server = restarted;
    const env = await restarted.waitFor(
      id,
      (e) => (e.status === "ready" && e.commitSha === b) || e.status === "failed",
    );
    expect(env.status, JSON.stringify(env.lastError)).toBe("ready");
    expect(env.events.map((e) => e.type)).toContain("lock_recovered");
    expect(await (await fetch(`${env.directUrl}/`)).json()).toMatchObject({ commit: b });
    expect(listStackLocks(dataDir)).toEqual([]);
  });
});
