import { type ChildProcess, fork } from "node:child_process";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";

export interface RunnerPoolOptions {
  /** The runner module, started with the same loader (`--import <loader>`). */
  script: string;
  loader: string;
  /** Runners kept started and idle, ready for the next job. 0: each job starts its own. */
  warm: number;
}

export interface RunnerPool {
  /**
   * A runner for one job, used once: an idle one when there is one (its start-up, about a second
   * of Node, tsx and the Pulumi SDK, is already paid), else a new one. Starts a replacement.
   */
  take(): ChildProcess;
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
  const idle: ChildProcess[] = [];
  const counts = { warm: 0, cold: 0 };
  let closed = false;

  function start(): ChildProcess {
    return fork(options.script, [], {
      // A neutral folder: the runner moves to the job's own before it loads anything of the job.
      cwd: tmpdir(),
      execArgv: ["--import", pathToFileURL(options.loader).href],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
  }

  function refill(): void {
    while (!closed && idle.length < options.warm) {
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
    take() {
      const ready = idle.shift();
      refill();
      if (ready && ready.exitCode === null && ready.signalCode === null && ready.connected) {
        counts.warm++;
        return ready;
      }
      counts.cold++;
      return start();
    },
    close() {
      closed = true;
      for (const runner of idle.splice(0)) runner.kill("SIGTERM");
    },
    stats: () => ({ ...counts }),
  };
}
