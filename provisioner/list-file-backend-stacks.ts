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
  return listFileBackendStacksIn(path.join(stateDir, "backend"));
}

/** Every stack's current state file, as text (what a deployed stack still refers to). */
export function readFileBackendStates(stateDir: string): string[] {
  return readFileBackendStatesIn(path.join(stateDir, "backend"));
}

/** Like listFileBackendStacks, for a backend directory anywhere (a `file://` STACKFORK_STATE_URL). */
export function listFileBackendStacksIn(backendDir: string): StackRef[] {
  const stacksDir = stacksDirOf(backendDir);
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

/** Like readFileBackendStates, for a backend directory anywhere. */
export function readFileBackendStatesIn(backendDir: string): string[] {
  return listFileBackendStacksIn(backendDir).map((s) =>
    readFileSync(path.join(stacksDirOf(backendDir), s.project, `${s.stack}.json`), "utf8"),
  );
}

function stacksDirOf(backendDir: string): string {
  return path.join(backendDir, ".pulumi", "stacks");
}
