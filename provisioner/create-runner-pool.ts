import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { RUN_MARKER } from "./end-marked-processes.ts";
import { noSandbox } from "./sandbox/detect-sandbox.ts";
import type { Sandbox, SandboxView } from "./sandbox/sandbox.ts";

export interface RunnerPoolOptions {
  /** The runner module, started with the same loader (`--import <loader>`). */
  script: string;
  loader: string;
  /** Runners kept started and idle, ready for the next job. 0: each job starts its own. */
  warm: number;
  /**
   * The whole environment a runner starts with: an allow-list built by the provisioner, never this
   * process's. Each runner adds its own RUN_MARKER. @default {}
   */
  env?: Record<string, string>;
  /** Prefix of every runner's RUN_MARKER: this server's (end-marked-processes.ts). @default "test" */
  serverId?: string;
  /**
   * Where a job's runner runs. A sandboxed runner is started for its job, since its view of the
   * file system is the job's: idle runners are kept only without one. @default none
   */
  sandbox?: Sandbox;
}

/** A runner process, with the RUN_MARKER value that it and every process it starts carry. */
export type Runner = ChildProcess & { runId: string };

export interface RunnerPool {
  /**
   * A runner for one job, used once: an idle one when there is one (its start-up, about a second
   * of Node, tsx and the Pulumi SDK, is already paid), else a new one in the job's `view`. Starts a
   * replacement.
   */
  take(view?: SandboxView): Runner;
  /** Stops the idle runners (the running ones belong to their jobs). */
  close(): void;
  /** Jobs served by an idle runner, and by one started for them. */
  stats(): { warm: number; cold: number };
}

/**
 * Runner processes started ahead of need. Each still runs exactly one operation and exits, so every
 * job keeps a fresh module graph and its program cannot leak into the next; only the start-up is
 * moved out of the job's way. An idle runner exits on its own when this process goes (its IPC
 * channel closes).
 */
export function createRunnerPool(options: RunnerPoolOptions): RunnerPool {
  const sandbox = options.sandbox ?? noSandbox("none given");
  const warm = sandbox.kind === "none" ? options.warm : 0;
  const idle: Runner[] = [];
  const counts = { warm: 0, cold: 0 };
  let closed = false;

  function start(view?: SandboxView): Runner {
    const runId = `${options.serverId ?? "test"}/${randomBytes(6).toString("hex")}`;
    const env = { ...options.env, [RUN_MARKER]: runId };
    const execArgv = ["--import", pathToFileURL(options.loader).href];
    const stdio: ["ignore", "pipe", "pipe", "ipc"] = ["ignore", "pipe", "pipe", "ipc"];
    if (sandbox.kind === "none") {
      // A neutral folder: the runner moves to the job's own before it loads anything of the job.
      return Object.assign(fork(options.script, [], { cwd: tmpdir(), execArgv, stdio, env }), { runId });
    }
    const { file, args } = sandbox.wrap(view ?? { readOnly: [], writable: [], hidden: [] }, [
      process.execPath,
      ...execArgv,
      options.script,
    ]);
    return Object.assign(spawn(file, args, { cwd: "/", stdio, env }), { runId });
  }

  function refill(): void {
    while (!closed && idle.length < warm) {
      const runner = start();
      idle.push(runner);
      runner.once("exit", () => {
        const at = idle.indexOf(runner);
        if (at >= 0) idle.splice(at, 1);
      });
      // A runner that failed to start is simply not connected when taken (a new one is started then);
      // without a listener its error event would end this process.
      runner.on("error", () => undefined);
    }
  }

  refill();
  return {
    take(view) {
      const ready = idle.shift();
      refill();
      if (ready && ready.exitCode === null && ready.signalCode === null && ready.connected) {
        counts.warm++;
        return ready;
      }
      counts.cold++;
      return start(view);
    },
    close() {
      closed = true;
      for (const runner of idle.splice(0)) runner.kill("SIGTERM");
    },
    stats: () => ({ ...counts }),
  };
}
