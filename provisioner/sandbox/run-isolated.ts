import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { endMarkedProcesses, RUN_MARKER } from "../end-marked-processes.ts";
import type { Sandbox, SandboxView } from "./sandbox.ts";

const run = promisify(execFile);

export interface RunIsolatedOptions {
  sandbox: Sandbox;
  argv: string[];
  view: SandboxView;
  /** The whole environment (an allow-list); RUN_MARKER is added. */
  env: Record<string, string>;
  /** Without a sandbox, where it runs; in one, the command changes folder itself. */
  cwd: string;
  /** This server's id, the RUN_MARKER's prefix. */
  serverId: string;
}

/**
 * Runs one command of a job (npm ci) in the job's isolation and waits for it; whatever it started
 * is ended with it.
 */
export async function runIsolated(options: RunIsolatedOptions): Promise<{ stdout: string; stderr: string }> {
  const runId = `${options.serverId}/${randomBytes(6).toString("hex")}`;
  const { file, args } = options.sandbox.wrap(options.view, options.argv);
  try {
    return await run(file, args, {
      cwd: options.sandbox.kind === "none" ? options.cwd : "/",
      env: { ...options.env, [RUN_MARKER]: runId },
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    endMarkedProcesses(runId);
  }
}
