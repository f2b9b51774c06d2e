import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { listFolder, listSubfolders } from "../source/list-folder.ts";

export interface StackRef {
  project: string;
  stack: string;
  /** When its state last changed. */
  updatedAt: string;
}

/**
 * Every stack in the embedded `file://` backend (open-stack.ts keeps it under `<stateDir>/backend`),
 * of every project, configured or not: read from the backend's layout, no engine run. A stack
 * removed by `pulumi stack rm` has no state file; its history and backups do not count.
 */
export function listFileBackendStacks(stateDir: string): StackRef[] {
  const stacksDir = stacksDirOf(stateDir);
  const stacks: StackRef[] = [];
  for (const project of listSubfolders(stacksDir)) {
    for (const entry of listFolder(path.join(stacksDir, project))) {
      if (!entry.isFile() || !entry.name.endsWith(".json")) continue;
      const file = path.join(stacksDir, project, entry.name);
      stacks.push({
        project,
        stack: entry.name.slice(0, -".json".length),
        updatedAt: statSync(file).mtime.toISOString(),
      });
    }
  }
  return stacks.sort((a, b) => a.project.localeCompare(b.project) || a.stack.localeCompare(b.stack));
}

/** Every stack's current state file, as text (what a deployed stack still refers to). */
export function readFileBackendStates(stateDir: string): string[] {
  return listFileBackendStacks(stateDir).map((s) =>
    readFileSync(path.join(stacksDirOf(stateDir), s.project, `${s.stack}.json`), "utf8"),
  );
}

function stacksDirOf(stateDir: string): string {
  return path.join(stateDir, "backend", ".pulumi", "stacks");
}
