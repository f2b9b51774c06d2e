import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processesMentioning } from "../test/support/stack-state.ts";
import { createRunnerPool, type RunnerPool } from "./create-runner-pool.ts";

const script = path.join(import.meta.dirname, "fixtures", "echo-runner.ts");
const loader = createRequire(import.meta.url).resolve("tsx");

/** Gives a runner its one job and waits for its answer. */
function run(runner: ChildProcess, cwd: string) {
  return new Promise<{ pid: number; cwd: string }>((resolve, reject) => {
    runner.once("message", (answer) => resolve(answer as { pid: number; cwd: string }));
    runner.once("exit", (code) => reject(new Error(`runner exited with ${code} before answering`)));
    runner.send({ cwd });
  });
}

const waitUntil = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
};

describe("createRunnerPool", () => {
  let pool: RunnerPool | undefined;
  // Each test starts with no runner of this script alive: the process list is how tests find them.
  afterEach(async () => {
    pool?.close();
    await waitUntil(() => processesMentioning(script).length === 0);
  });

  it("hands out a runner started before it was asked for, in the job's folder, and starts the next", async () => {
    pool = createRunnerPool({ script, loader, warm: 1 });
    // The idle runner exists before anyone asks: the one handed out is that very process.
    const idle = processesMentioning(script).map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(idle).toHaveLength(1);
    const taken = pool.take();
    expect(taken.pid).toBe(idle[0]);
    const first = await run(taken, import.meta.dirname);
    expect(first.cwd).toBe(import.meta.dirname);

    const second = pool.take(); // the replacement, started when the first was taken
    expect(second.pid).not.toBe(first.pid);
    expect((await run(second, tmpdir())).cwd).toBe(tmpdir());
    expect(pool.stats()).toEqual({ warm: 2, cold: 0 });
  });

  it("starts a runner for the job when none is idle, and one that died while idle is never handed out", async () => {
    pool = createRunnerPool({ script, loader, warm: 0 });
    expect((await run(pool.take(), tmpdir())).cwd).toBe(tmpdir());
    expect(pool.stats()).toEqual({ warm: 0, cold: 1 });

    const warmPool = createRunnerPool({ script, loader, warm: 1 });
    pool = warmPool;
    // Kill the idle one behind the pool's back: it must never be handed out.
    await waitUntil(() => processesMentioning(script).length === 1);
    const idlePid = Number(processesMentioning(script)[0]?.trim().split(/\s+/)[0]);
    process.kill(idlePid, "SIGKILL");
    await waitUntil(() => processesMentioning(script).length === 0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // this process notices the exit
    const next = warmPool.take();
    expect(next.pid).not.toBe(idlePid);
    expect((await run(next, tmpdir())).cwd).toBe(tmpdir());
    expect(warmPool.stats()).toEqual({ warm: 0, cold: 1 });
  });

  it("stops its idle runners when closed, and starts no more", async () => {
    pool = createRunnerPool({ script, loader, warm: 2 });
    const runner = pool.take(); // one of the idle two, now a job's: left alone
    pool.close();
    expect((await run(runner, tmpdir())).cwd).toBe(tmpdir());
    await waitUntil(() => processesMentioning(script).length === 0);
    expect(processesMentioning(script)).toEqual([]);
    const straggler = pool.take(); // after close: started for the job, nothing refilled
    expect(pool.stats().cold).toBe(1);
    straggler.kill("SIGKILL");
  });
});
