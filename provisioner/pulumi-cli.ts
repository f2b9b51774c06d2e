import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import path from "node:path";
import { StackforkError } from "../core/errors.ts";

const require = createRequire(import.meta.url);

export type PulumiCliSource = "PULUMI_CLI" | "PATH" | "cache";

export interface PulumiCli {
  /** Absolute path of the `pulumi` executable. */
  command: string;
  /** The directory holding `bin/pulumi`: what `PulumiCommand.get({ root })` expects. */
  root: string;
  version: string;
  source: PulumiCliSource;
}

/** The CLI version is whatever `@pulumi/pulumi` is pinned to in package.json: one version for both. */
export function readPinnedPulumiVersion(): string {
  const manifest = require.resolve("@pulumi/pulumi/package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Where built CLIs are kept, outside the repo so that clean clones (CI) and later sessions reuse them. */
export function resolvePulumiCacheRoot(env: NodeJS.ProcessEnv, version: string): string {
  return path.join(resolveStackforkCacheHome(env), "pulumi", version);
}

/** `STACKFORK_CACHE_DIR`, else `$XDG_CACHE_HOME/stackfork`, else `~/.cache/stackfork`: what `npm install` provisions. */
export function resolveStackforkCacheHome(env: NodeJS.ProcessEnv): string {
  return env.STACKFORK_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"), "stackfork");
}

/** The dynamic-provider plugin shipped at the root of the `@pulumi/pulumi` npm package. */
export function resolveNodejsDynamicProviderPlugin(): string {
  return path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "pulumi-resource-pulumi-nodejs");
}

/**
 * Finds the pulumi CLI of the pinned version, in this order: `PULUMI_CLI` (a path), a `pulumi` on
 * PATH whose `pulumi version` matches, the cached build. Returns undefined when none is found; a
 * `PULUMI_CLI` that is missing or of another version is an error, since someone asked for it.
 */
export function locatePulumiCli(env: NodeJS.ProcessEnv, version = readPinnedPulumiVersion()): PulumiCli | undefined {
  if (env.PULUMI_CLI) {
    const command = path.resolve(env.PULUMI_CLI);
    const found = readCliVersion(command, env);
    if (found === undefined) {
      throw new StackforkError("PULUMI_CLI_NOT_FOUND", `PULUMI_CLI=${env.PULUMI_CLI} does not run.`);
    }
    if (found !== version) {
      throw new StackforkError(
        "PULUMI_CLI_VERSION_MISMATCH",
        `PULUMI_CLI=${env.PULUMI_CLI} is v${found}; @pulumi/pulumi is ${version}. Use the same version for both.`,
      );
    }
    return toCli(command, version, "PULUMI_CLI");
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const command = path.join(dir, "pulumi");
    if (existsSync(command) && readCliVersion(command, env) === version) return toCli(command, version, "PATH");
  }
  const cached = path.join(resolvePulumiCacheRoot(env, version), "bin", "pulumi");
  if (existsSync(cached) && readCliVersion(cached, env) === version) return toCli(cached, version, "cache");
  return undefined;
}

/** Like locatePulumiCli, but a missing CLI is an error that says how to get one. */
export function requirePulumiCli(env: NodeJS.ProcessEnv, version = readPinnedPulumiVersion()): PulumiCli {
  const cli = locatePulumiCli(env, version);
  if (cli) return cli;
  throw new StackforkError(
    "PULUMI_CLI_NOT_FOUND",
    `No pulumi CLI v${version} found (PULUMI_CLI, PATH, ${resolvePulumiCacheRoot(env, version)}). ` +
      "Run `npm install` (it builds one with Go), or install it with the official installer: " +
      `curl -fsSL https://get.pulumi.com | sh -s -- --version ${version}`,
  );
}

function readCliVersion(command: string, env: NodeJS.ProcessEnv): string | undefined {
  try {
    const out = execFileSync(command, ["version"], {
      encoding: "utf8",
      env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
    });
    return out.trim().replace(/^v/, "");
  } catch {
    return undefined;
  }
}

function toCli(command: string, version: string, source: PulumiCliSource): PulumiCli {
  // PulumiCommand.get({ root }) runs `<root>/bin/pulumi`; a CLI elsewhere cannot be handed to it.
  if (path.basename(path.dirname(command)) !== "bin" || path.basename(command) !== "pulumi") {
    throw new StackforkError("PULUMI_CLI_NOT_FOUND", `${command}: the pulumi CLI must live at <dir>/bin/pulumi.`);
  }
  return { command, root: path.dirname(path.dirname(command)), version, source };
}
