import { readdirSync, readFileSync } from "node:fs";

/**
 * Every process a runner starts (the engine, its plugins, `npm ci`) inherits this variable from it,
 * so they can all be found and ended with the job, including the ones the CLI puts in a process
 * group of their own. A local copy's process is started with an environment of its own: it does
 * not carry it, and keeps serving.
 */
export const RUN_MARKER = "STACKFORK_RUN";

/**
 * Sends `signal` to every process whose environment has `STACKFORK_RUN=<value>` with value starting
 * with `prefix` (one runner's id, or a server's id and `/` for everything a previous server left).
 * Linux only (/proc); elsewhere it finds nothing. Returns the pids signalled.
 */
export function endMarkedProcesses(prefix: string, signal: NodeJS.Signals = "SIGKILL"): number[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const needle = `${RUN_MARKER}=${prefix}`;
  const ended: number[] = [];
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1");
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.split("\0").some((entry) => entry.startsWith(needle))) continue;
    try {
      process.kill(Number(pid), signal);
      ended.push(Number(pid));
    } catch {
      // already gone
    }
  }
  return ended;
}
