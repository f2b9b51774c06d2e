import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";

/**
 * Names of the copies on this machine whose usage counters changed since `since`: a running copy's
 * harness rewrites its file after traffic and every 15 minutes. Reading a local copy's counters costs
 * nothing, so these are measured every interval, not weekly as an idle copy on AWS is. The file's
 * time is the copy's to set: at worst a copy gets measured more often, which is free.
 */
export function findActiveLocalCopies(dataDir: string, since: Date): Set<string> {
  const copies = path.join(dataDir, "copies");
  const active = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(copies);
  } catch {
    return active; // no copy on this machine yet
  }
  for (const name of names) {
    try {
      const stat = lstatSync(path.join(copies, name, "usage.json"));
      if (stat.isFile() && stat.mtimeMs >= since.getTime()) active.add(name);
    } catch {
      // no counters (never started, or not a local copy)
    }
  }
  return active;
}
