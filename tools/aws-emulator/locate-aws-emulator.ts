import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { resolveStackforkCacheHome } from "../../provisioner/pulumi-cli.ts";

/** moto's server: DynamoDB, SQS FIFO, S3 (Pulumi's s3:// backend), KMS and Secrets Manager on one port. */
export const MOTO_VERSION = "5.2.5";
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;

/** The virtualenv `npm install` builds, outside the repo so every clone on the machine shares it. */
export function resolveAwsEmulatorDir(env: NodeJS.ProcessEnv): string {
  return path.join(resolveStackforkCacheHome(env), "moto", MOTO_VERSION);
}

export interface AwsEmulatorCommand {
  command: string;
  /** Start it with these, then `-H <host> -p <port>`. */
  args: string[];
}

/**
 * The cached virtualenv's Python running `moto.server`, when it holds moto of the pinned version.
 * Through `python -m`, not the `moto_server` script: a script's shebang names the folder it was
 * installed in, and the virtualenv is built aside and moved into place.
 */
export function locateAwsEmulator(env: NodeJS.ProcessEnv): AwsEmulatorCommand | undefined {
  const python = path.join(resolveAwsEmulatorDir(env), "bin", "python");
  if (!existsSync(python)) return undefined;
  const probe = spawnSync(python, ["-c", "import moto, flask, flask_cors; print(moto.__version__)"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return probe.status === 0 && probe.stdout.trim() === MOTO_VERSION
    ? { command: python, args: ["-m", "moto.server"] }
    : undefined;
}
