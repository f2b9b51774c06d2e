import { readlinkSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { listFolder } from "./list-folder.ts";

export interface DependencyInstallSweep {
  /** Installed dependencies: `<depsDir>/<lockfile hash>/node_modules` (install-stack-dependencies.ts). */
  depsDir: string;
  /** The source trees that stay: their `node_modules` links name the installs still needed. */
  treeDirs: readonly string[];
  /** Installs used more recently than this are left alone: a job may be installing or linking them. */
  minAgeMs: number;
  now: Date;
}

/** How deep a stack project may sit in its tree (`stackPath`) for its `node_modules` link to be found. */
const MAX_STACK_DEPTH = 6;

/**
 * Removes the dependency installs no remaining source tree links to (one per distinct lockfile of a
 * stack project, often hundreds of MB each), and the half-installed leftovers of a crash. Returns
 * the paths removed.
 */
export async function sweepDependencyInstalls(sweep: DependencyInstallSweep): Promise<string[]> {
  const linked = new Set<string>();
  for (const tree of sweep.treeDirs) {
    for (const target of findNodeModulesLinks(tree, MAX_STACK_DEPTH)) {
      const relative = path.relative(sweep.depsDir, target);
      if (!relative.startsWith("..") && !path.isAbsolute(relative)) linked.add(relative.split(path.sep)[0] ?? "");
    }
  }
  const removed: string[] = [];
  for (const { name } of listFolder(sweep.depsDir)) {
    const dir = path.join(sweep.depsDir, name);
    const leftover = name.includes(".partial-");
    if (sweep.now.getTime() - statSync(dir).mtimeMs < sweep.minAgeMs) continue;
    if (!leftover && linked.has(name)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/** Where the `node_modules` symlinks below `dir` point (absolute), not descending into any node_modules. */
function findNodeModulesLinks(dir: string, depth: number): string[] {
  const targets: string[] = [];
  for (const entry of listFolder(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.name === "node_modules") {
      if (entry.isSymbolicLink()) targets.push(path.resolve(dir, readlinkSync(full)));
    } else if (entry.isDirectory() && entry.name !== ".git" && depth > 0) {
      targets.push(...findNodeModulesLinks(full, depth - 1));
    }
  }
  return targets;
}
