import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation/index.js";
import { mapPulumiError } from "./map-pulumi-error.ts";
import type { PulumiEngineOptions } from "./pulumi-engine-options.ts";

import { restoreStackSettings } from "./restore-stack-settings.ts";
import { stackPathsOf } from "./stack-paths.ts";

const require = createRequire(import.meta.url);

export interface OpenStackOptions {
  projectName: string;
  stackName: string;
  program: PulumiFn;
}

/**
 * Opens (creating when missing) one stack of an inline program on the engine's backend. Each stack
 * gets a work directory under the state dir for its `Pulumi.<stack>.yaml` (secrets provider and
 * salt or encrypted key); when that directory is new (a fresh /tmp), the settings are restored
 * from the stack's state before anything is encrypted.
 */
export async function openStack(
  engine: PulumiEngineOptions,
  { projectName, stackName, program }: OpenStackOptions,
): Promise<Stack> {
  const { workDir, backendUrl, backendDir } = stackPathsOf(engine, projectName, stackName);
  const secretsProvider = engine.secretsProvider ?? "passphrase";
  if (backendDir) mkdirSync(backendDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const pulumiCommand = await PulumiCommand.get({ root: engine.cli.root });
  try {
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName, stackName, program },
      {
        workDir,
        pulumiCommand,
        pulumiHome: engine.pulumiHome ?? path.join(engine.stateDir, "home"),
        envVars: buildEngineEnv(engine),
        secretsProvider,
        projectSettings: { name: projectName, runtime: "nodejs", backend: { url: backendUrl } },
      },
    );
    await restoreStackSettings(stack, secretsProvider);
    return stack;
  } catch (err) {
    throw mapPulumiError(err, `open stack ${stackName}`);
  }
}

/**
 * Offline by construction: no update check, no plugin downloads, state and home in our data dir.
 * The rest of the runner's environment reaches the CLI too (the Automation API extends it): the
 * provisioner's allow-list and the job's own AWS credentials, never the server's environment.
 */
export function buildEngineEnv(engine: PulumiEngineOptions): Record<string, string> {
  const cliBin = path.dirname(engine.cli.command);
  const nodeModules = path.resolve(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "../..");
  return {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The legacy-layout check lists all of `.pulumi/stacks/`, which a deployer role may not (its own stack only).
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    // Only for the passphrase provider: with a cloud provider, a stack that lost its settings must
    // fail loudly ("passphrase must be set"), not fall back to a passphrase and a new salt.
    ...((engine.secretsProvider ?? "passphrase") === "passphrase" && { PULUMI_CONFIG_PASSPHRASE: engine.passphrase }),
    // The dynamic-provider plugin beside the CLI resolves @pulumi/pulumi from its cwd; NODE_PATH lets
    // it (and the code of dynamic resources) find ours from any work directory.
    NODE_PATH: nodeModules,
    // Node processes the engine starts (the dynamic-provider plugin) load TypeScript like we do.
    NODE_OPTIONS: `--import ${pathToFileURL(require.resolve("tsx")).href}`,
    PATH: `${cliBin}${path.delimiter}${engine.searchPath}`,
  };
}
