import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { endMarkedProcesses, RUN_MARKER } from "../end-marked-processes.ts";
import type { Sandbox, SandboxView } from "./sandbox.ts";

export interface RunStreamedIsolatedOptions {
  sandbox: Sandbox;
  argv: string[];
  view: SandboxView;
  /** The whole environment (an allow-list); RUN_MARKER is added. */
  env: Record<string, string>;
  /** Where the command runs (in a sandbox too: it changes folder itself, by argument). */
  cwd: string;
  serverId: string;
  /** Each line of stdout and stderr, as it comes. */
  onLine: (line: string) => void;
  signal: AbortSignal;
}

/**
 * Runs one command of a job (a seed, a build step) in the job's isolation in `cwd`, streaming its
 * output by line into the live log (run-isolated.ts waits for `npm ci` all at once instead);
 * whatever it started is ended with it. Resolves with its exit code (a signal counts as failure);
 * aborting kills it.
 */
export async function runStreamedIsolated(options: RunStreamedIsolatedOptions): Promise<number> {
  const runId = `${options.serverId}/${randomBytes(6).toString("hex")}`;
  // The sandbox starts at `/`: the command goes to its folder first, the folder given as an argument.
  const argv =
    options.sandbox.kind === "none"
      ? options.argv
      : ["sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", options.cwd, ...options.argv];
  const { file, args } = options.sandbox.wrap(options.view, argv);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: options.sandbox.kind === "none" ? options.cwd : "/",
        env: { ...options.env, [RUN_MARKER]: runId },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const onAbort = () => child.kill("SIGTERM");
      options.signal.addEventListener("abort", onAbort, { once: true });
      for (const stream of [child.stdout, child.stderr]) {
        let rest = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          const lines = (rest + chunk).split(/\r?\n/);
          rest = lines.pop() ?? "";
          for (const line of lines) if (line.trim()) options.onLine(line);
        });
        stream.on("end", () => {
          if (rest.trim()) options.onLine(rest);
        });
      }
      child.on("error", reject);
      child.on("close", (code) => {
        options.signal.removeEventListener("abort", onAbort);
        resolve(code ?? 1);
      });
    });
  } finally {
    endMarkedProcesses(runId);
  }
}
