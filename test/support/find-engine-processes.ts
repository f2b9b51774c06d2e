import { createHash } from "node:crypto";
import path from "node:path";
import { type ProcessInfo, readProcesses } from "./read-processes.ts";

/**
 * Command lines of the engine's processes: the runner, the pulumi CLI, its language host, the
 * dynamic provider's host (@pulumi/pulumi/cmd/...) and the resource plugins. A copy's own process
 * (run-copy.ts) is none of these.
 */
const ENGINE_COMMAND = [
  /run-stack-operation\.ts$/,
  /(^|\/)pulumi$/,
  /(^|\/)pulumi-language-/,
  /(^|\/)pulumi-resource-/,
  /@pulumi\/pulumi\/cmd\//,
];

/**
 * The engine's processes of the stackfork server on `dataDir`, alive now: those marked with its
 * server id (STACKFORK_RUN=<id>/..., the provisioner's own way of finding them), and any process
 * with an engine command line that runs in or names that data dir (one that lost its marker would
 * still be found). Another server's, on another data dir, are not.
 */
export function findEngineProcesses(dataDir: string): ProcessInfo[] {
  const root = path.resolve(dataDir);
  const prefix = `${serverIdOf(root)}/`;
  return readProcesses().filter((p) => {
    if (p.runMarker?.startsWith(prefix)) return true;
    if (!p.args.some((arg) => ENGINE_COMMAND.some((pattern) => pattern.test(arg)))) return false;
    return isInside(p.cwd ?? "", root) || p.args.some((arg) => arg.includes(root));
  });
}

/** The provisioner's server id: the data dir's hash (provisioner/create-pulumi-provisioner.ts). */
function serverIdOf(dataDir: string): string {
  return createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return child !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}
