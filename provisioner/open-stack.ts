import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation/index.js";
import { mapPulumiError } from "./map-pulumi-error.ts";
import type { PulumiCli } from "./pulumi-cli.ts";

const require = createRequire(import.meta.url);

export interface PulumiEngineOptions {
  cli: PulumiCli;
  /** Holds the `file://` backend, PULUMI_HOME and each stack's workspace (settings + salt). */
  stateDir: string;
  /** Passphrase for the passphrase secrets provider. */
  passphrase: string;
  /** The PATH the engine's plugins run with; the CLI's own directory is put first. */
  searchPath: string;
}

export interface OpenStackOptions {
  projectName: string;
  stackName: string;
  program: PulumiFn;
}

/**
 * Opens (creating when missing) one stack of an inline program on the local `file://` backend.
 * Each stack gets a persistent work directory beside the state, because its `Pulumi.<stack>.yaml`
 * holds the encryption salt: a temporary workspace would lose it and make secrets unreadable.
 */
export async function openStack(
  engine: PulumiEngineOptions,
  { projectName, stackName, program }: OpenStackOptions,
): Promise<Stack> {
  const backendDir = path.join(engine.stateDir, "backend");
  const workDir = path.join(engine.stateDir, "workspaces", projectName, stackName);
  mkdirSync(backendDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const pulumiCommand = await PulumiCommand.get({ root: engine.cli.root });
  try {
    return await LocalWorkspace.createOrSelectStack(
      { projectName, stackName, program },
      {
        workDir,
        pulumiCommand,
        pulumiHome: path.join(engine.stateDir, "home"),
        envVars: buildEngineEnv(engine),
        secretsProvider: "passphrase",
        projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
      },
    );
  } catch (err) {
    throw mapPulumiError(err, `open stack ${stackName}`);
  }
}

/** Offline by construction: no update check, no plugin downloads, state and home in our data dir. */
export function buildEngineEnv(engine: PulumiEngineOptions): Record<string, string> {
  const cliBin = path.dirname(engine.cli.command);
  const nodeModules = path.resolve(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "../..");
  return {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_CONFIG_PASSPHRASE: engine.passphrase,
    // The dynamic-provider plugin beside the CLI resolves @pulumi/pulumi from its cwd; NODE_PATH lets
    // it (and the code of dynamic resources) find ours from any work directory.
    NODE_PATH: nodeModules,
    // Node processes the engine starts (the dynamic-provider plugin) load TypeScript like we do.
    NODE_OPTIONS: `--import ${pathToFileURL(require.resolve("tsx")).href}`,
    PATH: `${cliBin}${path.delimiter}${engine.searchPath}`,
  };
}
