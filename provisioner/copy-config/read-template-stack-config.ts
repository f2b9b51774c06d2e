import { mkdirSync } from "node:fs";
import path from "node:path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { StackforkError } from "../../core/errors.ts";
import type { TemplateValue } from "../../core/resolve-copy-config.ts";
import { buildEngineEnv } from "../open-stack.ts";
import type { PulumiEngineOptions } from "../pulumi-engine-options.ts";
import { restoreStackSettings } from "../restore-stack-settings.ts";
import { stackPassphraseOf, stackPathsOf } from "../stack-paths.ts";

/**
 * The config of a template stack (`prod`, `preview`) of the copy's project, plain and secret values
 * decrypted: read on the platform's side, never in a job, since it takes the template stack's own
 * passphrase (or KMS context) and backend, which no job may have. The stack is laid out as stackfork
 * lays out every stack (stack-paths.ts): state in its own backend dir, settings and config in its
 * workspace dir, secrets under its derived passphrase; one made by hand with the platform's
 * passphrase is read with that. The stack is selected, never created. `engine.secretsProvider` is
 * the template stack's own (with its KMS context: create-pulumi-provisioner.ts `secretsProviderOf`).
 */
export async function readTemplateStackConfig(
  engine: PulumiEngineOptions,
  projectName: string,
  stackName: string,
): Promise<Record<string, TemplateValue>> {
  const passphrases = [stackPassphraseOf(engine.passphrase, projectName, stackName), engine.passphrase];
  let lastError: unknown;
  for (const passphrase of passphrases) {
    try {
      return await readWith({ ...engine, passphrase }, projectName, stackName);
    } catch (err) {
      lastError = err;
      if ((engine.secretsProvider ?? "passphrase") !== "passphrase") break;
    }
  }
  throw new StackforkError(
    "COPY_CONFIG_UNAVAILABLE",
    `the template stack ${stackName} of ${projectName} cannot be read: ${describe(lastError)}`,
    { cause: lastError, details: { projectName, stackName } },
  );
}

async function readWith(
  engine: PulumiEngineOptions,
  projectName: string,
  stackName: string,
): Promise<Record<string, TemplateValue>> {
  const { workDir, backendUrl, backendDir } = stackPathsOf(engine, projectName, stackName);
  if (backendDir) mkdirSync(backendDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const secretsProvider = engine.secretsProvider ?? "passphrase";
  const stack = await LocalWorkspace.selectStack(
    { projectName, stackName, program: async () => {} },
    {
      workDir,
      pulumiCommand: await PulumiCommand.get({ root: engine.cli.root }),
      pulumiHome: engine.pulumiHome ?? path.join(engine.stateDir, "home"),
      envVars: buildEngineEnv(engine),
      secretsProvider,
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: backendUrl } },
    },
  );
  await restoreStackSettings(stack, secretsProvider);
  const config = await stack.getAllConfig();
  return Object.fromEntries(
    Object.entries(config).map(([key, { value, secret }]) => [key, { value, secret: secret === true }]),
  );
}

/** The engine's first line says what went wrong (no such stack, wrong passphrase) and holds no secret. */
function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split("\n").find((l) => /error|not found|no stack|passphrase/i.test(l)) ?? text.split("\n")[0];
  return (line ?? "").trim().slice(0, 300);
}
