import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";
import { fileBackendDirOf, resolveBackendUrl } from "./resolve-backend-url.ts";

export interface StackPaths {
  /** `Pulumi.<stack>.yaml` (secrets provider, salt): the stack's own, writable by its job. */
  workDir: string;
  /** A `file://` backend holds one backend per stack (`<root>/<project>/<stack>`), so a job's sandbox shows only its own. */
  backendUrl: string;
  /** The stack's own backend directory, for `file://`. */
  backendDir?: string;
}

/** Where one stack's settings and state live, for the runner and for the sandbox that shows them. */
export function stackPathsOf(
  engine: Pick<PulumiEngineOptions, "stateDir" | "backendUrl">,
  projectName: string,
  stackName: string,
): StackPaths {
  const workDir = path.join(engine.stateDir, "workspaces", projectName, stackName);
  const rootUrl = resolveBackendUrl(engine);
  const rootDir = fileBackendDirOf(rootUrl);
  if (!rootDir) return { workDir, backendUrl: rootUrl };
  const backendDir = path.join(rootDir, projectName, stackName);
  return { workDir, backendUrl: `file://${backendDir}`, backendDir };
}

/**
 * Each stack's secrets are encrypted with a passphrase of its own, derived from the platform's:
 * a job knows its stack's, never the platform's nor another stack's.
 */
export function stackPassphraseOf(passphrase: string, projectName: string, stackName: string): string {
  return createHmac("sha256", passphrase).update(`${projectName}/${stackName}`).digest("base64url");
}

const DIY_FOLDERS = ["locks", "history", "backups"] as const;

/**
 * Moves a stack that an earlier version kept in the shared `file://` backend (`<root>/.pulumi/...`)
 * into its own (`<root>/<project>/<stack>/.pulumi/...`): the state, its lock, history and backups.
 * Returns true when it moved one: that stack's secrets are still under the platform's passphrase.
 */
export function adoptSharedBackendStack(rootDir: string, projectName: string, stackName: string): boolean {
  const shared = path.join(rootDir, ".pulumi");
  const stacksDir = path.join(shared, "stacks", projectName);
  const own = path.join(rootDir, projectName, stackName, ".pulumi");
  if (!existsSync(path.join(stacksDir, `${stackName}.json`)) || existsSync(path.join(own, "stacks"))) return false;
  mkdirSync(path.join(own, "stacks", projectName), { recursive: true });
  for (const file of readdirSync(stacksDir)) {
    if (file === `${stackName}.json` || file.startsWith(`${stackName}.json.`)) {
      renameSync(path.join(stacksDir, file), path.join(own, "stacks", projectName, file));
    }
  }
  for (const folder of DIY_FOLDERS) {
    const from = path.join(shared, folder, projectName, stackName);
    if (!existsSync(from)) continue;
    mkdirSync(path.join(own, folder, projectName), { recursive: true });
    renameSync(from, path.join(own, folder, projectName, stackName));
  }
  return true;
}
