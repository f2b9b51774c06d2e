import { readFileSync, rmSync } from "node:fs";
import { copyFiles } from "./copy-files.ts";
import { isCopyProcess, isRunning } from "./is-copy-process.ts";

/** How long a copy gets to close its server and LevelDB after SIGTERM before SIGKILL. */
const GRACE_POLLS = 100;
const POLL_MS = 100;

/**
 * Stops the copy of `dataDir`: the pid in the state and the one in its pid file (an update that
 * failed half-way may have left a process the state does not know), each only if it really is a
 * copy process for this data dir. SIGTERM, then SIGKILL after a grace period; returns once they are
 * gone, so the port and the LevelDB lock are free.
 */
export async function stopCopyProcess({ pid, dataDir }: { pid?: number; dataDir: string }): Promise<void> {
  const { pidFile } = copyFiles(dataDir);
  const pids = [...new Set([pid, readPidFile(pidFile)])].filter((p): p is number => isCopyProcess(p, dataDir));
  signal(pids, "SIGTERM");
  if (!(await waitForExit(pids))) {
    signal(pids, "SIGKILL");
    if (!(await waitForExit(pids))) throw new Error(`Copy process ${pids.join(", ")} did not exit after SIGKILL.`);
  }
  rmSync(pidFile, { force: true });
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      // A detached copy leads its own process group: signal the group, in case it started children.
      process.kill(-p, name);
    } catch {
      try {
        process.kill(p, name);
      } catch {
        // already gone
      }
    }
  }
}

async function waitForExit(pids: number[]): Promise<boolean> {
  for (let i = 0; i < GRACE_POLLS; i++) {
    if (!pids.some(isRunning)) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return !pids.some(isRunning);
}

function readPidFile(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
