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
 * Every stack in the embedded `file://` backend (stack-paths.ts keeps it under `<stateDir>/backend`),
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

/**
 * Like listFileBackendStacks, for a backend directory anywhere (a `file://` STACKFORK_STATE_URL):
 * each stack's own backend (`<dir>/<project>/<stack>/.pulumi`, stack-paths.ts) and the shared one
 * an earlier version wrote (`<dir>/.pulumi`), until each of its stacks is moved by its next job.
 */
export function listFileBackendStacksIn(backendDir: string): StackRef[] {
  return stackFilesIn(backendDir)
    .map(({ project, stack, file }) => ({ project, stack, updatedAt: statSync(file).mtime.toISOString() }))
    .sort((a, b) => a.project.localeCompare(b.project) || a.stack.localeCompare(b.stack));
}

/** Like readFileBackendStates, for a backend directory anywhere. */
export function readFileBackendStatesIn(backendDir: string): string[] {
  return stackFilesIn(backendDir).map(({ file }) => readFileSync(file, "utf8"));
}

function stackFilesIn(backendDir: string): { project: string; stack: string; file: string }[] {
  const backends = [
    backendDir,
    ...listSubfolders(backendDir)
      .filter((project) => !project.startsWith("."))
      .flatMap((project) =>
        listSubfolders(path.join(backendDir, project)).map((s) => path.join(backendDir, project, s)),
      ),
  ];
  return backends.flatMap((backend) => {
    const stacksDir = path.join(backend, ".pulumi", "stacks");
    return listSubfolders(stacksDir).flatMap((project) =>
      listFolder(path.join(stacksDir, project))
        .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
        .map((entry) => ({
          project,
          stack: entry.name.slice(0, -".json".length),
          file: path.join(stacksDir, project, entry.name),
        })),
    );
  });
}
