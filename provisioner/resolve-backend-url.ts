import { homedir } from "node:os";
import path from "node:path";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";

/** The backend the engine's stacks live on: `engine.backendUrl`, else the file backend in the state dir. */
export function resolveBackendUrl(engine: Pick<PulumiEngineOptions, "stateDir" | "backendUrl">): string {
  return engine.backendUrl ?? `file://${path.join(engine.stateDir, "backend")}`;
}

/**
 * The directory of a `file://` backend, undefined for any other scheme. Pulumi reads the rest of
 * the URL as a plain path (not percent-encoded), with `~` for the home directory; see
 * https://www.pulumi.com/docs/iac/concepts/state-and-backends/#local-filesystem.
 */
export function fileBackendDirOf(backendUrl: string): string | undefined {
  if (!backendUrl.startsWith("file://")) return undefined;
  const rest = backendUrl.slice("file://".length).replace(/\?.*$/, "");
  return path.resolve(rest.startsWith("~") ? path.join(homedir(), rest.slice(1)) : rest);
}
