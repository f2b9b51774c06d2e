import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Whether `pid` is a live copy process for `dataDir`: running (a zombie is not), a node process, and
 * started with `dataDir` as an argument. After a machine restart a pid in our state may belong to
 * anything; this is what keeps us from signalling a stranger.
 */
export function isCopyProcess(pid: number | undefined, dataDir: string): boolean {
  if (!pid || !isRunning(pid)) return false;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return path.basename(args[0] ?? "").startsWith("node") && args.includes(dataDir);
  } catch {
    // No /proc (macOS): `ps`, no shell involved; its command line is one string.
    try {
      const command = execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
      return /\bnode\b/.test(command) && command.includes(` ${dataDir}`);
    } catch {
      return false;
    }
  }
}

/** Signal 0 checks existence; one we may not signal (EPERM: another user's) cannot be a copy of ours. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A process that died before its parent reaped it still answers signal 0 (state Z). But the main
  // thread of a multithreaded process (node) shows Z while its other threads still exit and hold its
  // files, the listening port among them: it is only done once the main thread is alone.
  if (!["Z", "X"].includes(readState(pid) ?? "")) return true;
  return countThreads(pid) > 1;
}

function countThreads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

function readState(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}
