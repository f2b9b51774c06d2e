import { execFileSync, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../core/environment.ts";
import { isStackforkError } from "../core/errors.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { createSourceReader } from "../source/create-source-reader.ts";
import { createFixtureRepository, type FixtureRepository } from "../test/support/fixture-repository.ts";
import { listStackLocks, processesMentioning } from "../test/support/stack-state.ts";
import { createPulumiProvisioner } from "./create-pulumi-provisioner.ts";
import { requirePulumiCli } from "./pulumi-cli.ts";

// The provisioner on the real engine, with the real stacks/service from a real git clone.
describe("createPulumiProvisioner", () => {
  let work: string;
  let dataDir: string;
  let repo: FixtureRepository;
  let repository: RepositoryConfig;
  let provisioner: ReturnType<typeof createPulumiProvisioner>;
  let failNextRunner = false;
  const environment: Environment = {
    id: "api-recovery",
    name: "api-recovery",
    kind: "branch",
    repository: "acme/api",
    branch: "recovery",
    status: "deploying",
    createdAt: "2026-11-27T00:00:00.000Z",
    updatedAt: "2026-11-27T00:00:00.000Z",
  };
  const hooks = (recoveries: string[] = [], lines: string[] = [], signal = new AbortController().signal) => ({
    signal,
    onOutput: (line: string) => lines.push(line),
    onRecovery: (message: string) => recoveries.push(message),
  });

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-provisioner-"));
    dataDir = path.join(work, "data");
    repo = createFixtureRepository(path.join(work, "repo"));
    repository = {
      name: "acme/api",
      localPath: repo.dir,
      stackPath: "stacks/service",
      defaultBranch: "main",
      target: "local",
      ttlHours: 0,
    };
    provisioner = createPulumiProvisioner({
      engine: {
        cli: requirePulumiCli(process.env),
        stateDir: path.join(dataDir, "pulumi"),
        passphrase: "p",
        searchPath: process.env.PATH ?? "",
      },
      dataDir,
      readSource: createSourceReader({ sourcesDir: path.join(dataDir, "sources") }),
      warmRunners: 1,
      // The next runner handed out after `failNextRunner` is set dies before it takes its job.
      wrapRunners: (pool) => ({
        ...pool,
        take: () => {
          if (!failNextRunner) return pool.take();
          failNextRunner = false;
          const dying = fork(path.join(import.meta.dirname, "fixtures", "exit-at-once.ts"), [], {
            execArgv: ["--import", "tsx"],
            stdio: ["ignore", "pipe", "pipe", "ipc"],
          });
          return Object.assign(dying, { runId: "test/dying" });
        },
      }),
    });
  });
  afterAll(async () => {
    await provisioner.destroy({ environment, repository, ...hooks() }).catch(() => undefined);
    provisioner.close?.();
    rmSync(work, { recursive: true, force: true });
  });

  it("deploys the branch's head when no SHA is given, streaming the engine's output", async () => {
    const sha = repo.commit("recovery", "one");
    const lines: string[] = [];
    const result = await provisioner.deploy({ environment, repository, ...hooks([], lines) });
    expect(result.commitSha).toBe(sha);
    expect(await (await fetch(`${result.url}/`)).json()).toMatchObject({ commit: sha, environment: "api-recovery" });
    expect(lines.length).toBeGreaterThan(3);
  });

  it("recovers a stack left locked by a crashed update, and says so", async () => {
    const lockDir = path.join(
      dataDir,
      "pulumi",
      "backend",
      "acme-api",
      "api-recovery",
      ".pulumi",
      "locks",
      "organization",
      "acme-api",
      "api-recovery",
    );
    mkdirSync(lockDir, { recursive: true });
    const stale = { pid: 999999, username: "gone", hostname: "crashed-host", timestamp: "2026-11-27T00:00:00Z" };
    writeFileSync(path.join(lockDir, `${randomUUID()}.json`), JSON.stringify(stale));
    const sha = repo.commit("recovery", "two");
    const recoveries: string[] = [];
    const result = await provisioner.deploy({ environment, repository, commitSha: sha, ...hooks(recoveries) });
    expect(result.commitSha).toBe(sha);
    expect(recoveries).toHaveLength(1);
    expect(listStackLocks(dataDir)).toEqual([]);
  });

  it("runs jobs on runners started ahead of them, and on a fresh one when the idle runner died", async () => {
    expect(provisioner.runnerStats().warm).toBeGreaterThan(0);
    // Kill this provisioner's idle runner behind its back, then deploy at once.
    const idle = idleRunnersOf(process.pid);
    expect(idle).toHaveLength(1);
    process.kill(idle[0] as number, "SIGKILL");
    const sha = repo.commit("recovery", "after-a-dead-runner");
    const result = await provisioner.deploy({ environment, repository, commitSha: sha, ...hooks() });
    expect(result.commitSha).toBe(sha);
  });

  it("gives the job to a fresh runner when the one handed out dies before taking it", async () => {
    failNextRunner = true;
    const sha = repo.commit("recovery", "after-a-runner-died-on-hand-out");
    const result = await provisioner.deploy({ environment, repository, commitSha: sha, ...hooks() });
    expect(failNextRunner).toBe(false); // the failing one was handed out
    expect(result.commitSha).toBe(sha);
  });

  it("fails an unknown commit with SOURCE_NOT_FOUND", async () => {
    const err = await provisioner
      .deploy({ environment, repository, commitSha: "0123456789abcdef0123456789abcdef01234567", ...hooks() })
      .catch((e: unknown) => e);
    expect(isStackforkError(err, "SOURCE_NOT_FOUND")).toBe(true);
  });

  it("stops a deploy when its signal aborts with DEPLOY_CANCELLED; the next run succeeds", async () => {
    const controller = new AbortController();
    const sha = repo.commit("recovery", "three");
    const lines: string[] = [];
    const deploying = provisioner.deploy({
      environment,
      repository,
      commitSha: sha,
      ...hooks([], lines, controller.signal),
      onOutput: (line) => {
        lines.push(line);
        if (line.includes("Updating") || line.includes("updating")) controller.abort();
      },
    });
    const err = await deploying.then(
      () => undefined,
      (e: unknown) => e,
    );
    // The update may finish before SIGINT lands; a SIGINT that lands early may leave the lock behind.
    if (err !== undefined) expect(isStackforkError(err, "DEPLOY_CANCELLED")).toBe(true);
    // Either way the next run succeeds, recovering a lock if one was left.
    const next = await provisioner.deploy({ environment, repository, commitSha: sha, ...hooks() });
    expect(next.commitSha).toBe(sha);
    expect(listStackLocks(dataDir)).toEqual([]);
  });

  it("destroys the copy: no process, no stack", async () => {
    await provisioner.destroy({ environment, repository, ...hooks() });
    expect(processesMentioning(path.join(dataDir, "copies", "api-recovery"))).toEqual([]);
  });
});

/** Runner processes started by `parent` and not yet given a job. */
function idleRunnersOf(parent: number): number[] {
  const ps = execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" });
  return ps
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, ...args]) => Number(ppid) === parent && args.join(" ").includes("run-stack-operation.ts"))
    .map(([pid]) => Number(pid));
}
