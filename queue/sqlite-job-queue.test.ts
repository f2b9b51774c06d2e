import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStackforkError } from "../core/errors.ts";
import { createSqliteRegistry } from "../registry/sqlite-registry.ts";
import { raceClaims } from "./fixtures/race-claims.ts";
import type { EnqueueInput, Job, JobQueue } from "./job-queue.ts";
import { describeJobQueueContract } from "./job-queue-contract.ts";
import { createSqliteJobQueue } from "./sqlite-job-queue.ts";
import { sqliteJobQueueMigrations } from "./sqlite-job-queue-migrations.ts";

let dir: string;
let files = 0;
const newFile = (prefix = "queue") => path.join(dir, `${prefix}-${++files}.db`);
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "stackfork-queue-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeJobQueueContract("sqlite", async () => createSqliteJobQueue({ file: newFile() }));

const t0 = new Date("2030-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const LEASE_MS = 60_000;
const deploy = (environmentId: string, commitSha: string): EnqueueInput => ({
  environmentId,
  type: "deploy",
  commitSha,
  reason: { message: "push" },
});
const destroy = (environmentId: string): EnqueueInput => ({
  environmentId,
  type: "destroy",
  reason: { message: "deleted" },
});

/** Two jobs per environment, in order destroy then deploy (a deploy before a destroy would be dropped). */
async function fillQueue(queue: JobQueue, environments: number): Promise<void> {
  for (let i = 0; i < environments; i++) await queue.enqueue(destroy(`env-${i}`), at(0));
  for (let i = 0; i < environments; i++) await queue.enqueue(deploy(`env-${i}`, `sha-${i}`), at(0));
}

describe("createSqliteJobQueue", () => {
  it("keeps jobs and leases across close and reopen", async () => {
    const file = newFile();
    const first = createSqliteJobQueue({ file });
    await first.enqueue(deploy("env-a", "sha-1"), at(0));
    await first.enqueue(deploy("env-b", "sha-2"), at(0));
    const held = await first.claim("w1", at(0), LEASE_MS);
    const pending = await first.listPending();
    await first.close();

    const second = createSqliteJobQueue({ file });
    expect(await second.listPending()).toStrictEqual(pending);
    // env-a is still held by w1: only env-b's job is claimable.
    expect((await second.claim("w2", at(1), LEASE_MS))?.environmentId).toBe("env-b");
    expect(await second.claim("w2", at(1), LEASE_MS)).toBeUndefined();
    expect(await second.renewLease(held?.id ?? "", "w1", at(2), LEASE_MS)).toEqual({ cancelRequested: false });
    await second.complete(held?.id ?? "", "w1");
    const next = await second.enqueue(deploy("env-a", "sha-3"), at(3));
    expect(pending.map((j) => j.id)).not.toContain(next.job.id);
    await second.close();
  });

  it("applies its migrations once: reopening keeps the schema version and the jobs", async () => {
    const file = newFile();
    const queue = createSqliteJobQueue({ file });
    await queue.enqueue(deploy("env-a", "sha-1"), at(0));
    await queue.close();
    for (let i = 0; i < 3; i++) {
      const reopened = createSqliteJobQueue({ file });
      expect(await reopened.listPending()).toHaveLength(1);
      await reopened.close();
    }
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("user_version", { simple: true })).toBe(sqliteJobQueueMigrations.length);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("refuses the registry's file with CONFIG_INVALID", async () => {
    const file = newFile("registry");
    await createSqliteRegistry({ file }).close();
    let code = "no error";
    try {
      createSqliteJobQueue({ file });
    } catch (err) {
      code = isStackforkError(err) ? err.code : "not a StackforkError";
    }
    expect(code).toBe("CONFIG_INVALID");
  });

  it("never lets two instances on one file claim the same job, or two jobs of one environment", async () => {
    const file = newFile();
    const a = createSqliteJobQueue({ file });
    const b = createSqliteJobQueue({ file });
    await fillQueue(a, 5);

    const claimAll = async () => {
      const claimed: { job: Job; owner: string; queue: JobQueue }[] = [];
      for (;;) {
        const fromA = await a.claim("a", at(1), LEASE_MS);
        if (fromA) claimed.push({ job: fromA, owner: "a", queue: a });
        const fromB = await b.claim("b", at(1), LEASE_MS);
        if (fromB) claimed.push({ job: fromB, owner: "b", queue: b });
        if (!fromA && !fromB) return claimed;
      }
    };
    const firstRound = await claimAll();
    expect(firstRound.map(({ job }) => job.type)).toEqual(Array(5).fill("destroy"));
    expect(new Set(firstRound.map(({ job }) => job.environmentId)).size).toBe(5);
    expect(new Set(firstRound.map(({ owner }) => owner))).toEqual(new Set(["a", "b"]));
    for (const { job, owner, queue } of firstRound) await queue.complete(job.id, owner);

    const secondRound = await claimAll();
    expect(secondRound.map(({ job }) => job.type)).toEqual(Array(5).fill("deploy"));
    const ids = [...firstRound, ...secondRound].map(({ job }) => job.id);
    expect(new Set(ids).size).toBe(10);
    await a.close();
    await b.close();
  });

  it("keeps several processes on one file from claiming a job twice or two jobs of one environment", async () => {
    const file = newFile();
    const ledgerFile = newFile("ledger");
    const queue = createSqliteJobQueue({ file });
    await fillQueue(queue, 30);
    const jobs = await queue.listPending();
    await queue.close();

    const { violations, claims } = await raceClaims({
      queue: ["sqlite", file],
      ledgerFile,
      workers: ["p1", "p2", "p3"],
      now: at(1),
    });

    expect(violations).toEqual([]);
    // Every job claimed exactly once (no lease expired: the children use a fixed time).
    expect(claims.map((c) => c.job_id).sort()).toEqual(jobs.map((j) => j.id).sort());
    // And in each environment's order: the destroy before the deploy.
    for (let i = 0; i < 30; i++) {
      expect(claims.filter((c) => c.environment_id === `env-${i}`).map((c) => c.type)).toEqual(["destroy", "deploy"]);
    }
    const after = createSqliteJobQueue({ file });
    expect(await after.listPending()).toEqual([]);
    await after.close();
  });
});
