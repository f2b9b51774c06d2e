import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  created?: string;
  modified?: string;
  outputs?: Record<string, unknown>;
}

/** Reads a stack's checkpoint straight from the file:// backend, as an auditor would. */
export function readStackResources(dataDir: string, project: string, stack: string): StateResource[] | undefined {
  // Each stack has a backend of its own (provisioner/stack-paths.ts).
  const file = path.join(dataDir, "pulumi", "backend", project, stack, ".pulumi", "stacks", project, `${stack}.json`);
  if (!existsSync(file)) return undefined;
  const checkpoint = JSON.parse(readFileSync(file, "utf8")) as {
    checkpoint?: { latest?: { resources?: StateResource[] } };
  };
  return checkpoint.checkpoint?.latest?.resources ?? [];
}

/** Lock files the file:// backends leave while an update runs (or after one crashed), of every stack. */
export function listStackLocks(dataDir: string): string[] {
  const dir = path.join(dataDir, "pulumi", "backend");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.split(path.sep).includes("locks") && f.endsWith(".json"));
}

/** Command lines of running processes that mention `needle` (say, a copy's data dir). */
export function processesMentioning(needle: string): string[] {
  const ps = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return ps.split("\n").filter((line) => line.includes(needle) && !line.includes("ps -eo"));
}

/**
 * Copies outlive the server by design; a test that started some stops them when it ends, so that
 * nothing is left running (SIGTERM, as `destroy` would), and waits until they are gone (SIGKILL
 * after 5 s): a copy flushes its usage counters as it stops, and a folder removed under its feet
 * fails with ENOTEMPTY.
 */
export function stopProcessesMentioning(needle: string): void {
  const pids = processesMentioning(needle)
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => pid && pid !== process.pid);
  const signal = (pid: number, name: NodeJS.Signals | 0) => {
    try {
      process.kill(pid, name);
      return true;
    } catch {
      return false; // already gone
    }
  };
  for (const pid of pids) signal(pid, "SIGTERM");
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < 5000 && pids.some((pid) => signal(pid, 0)); waited += 50) Atomics.wait(pause, 0, 0, 50);
  for (const pid of pids) signal(pid, "SIGKILL");
}
