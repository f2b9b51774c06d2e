import { parse as parseYaml } from "yaml";
import type { ConfigOverride } from "../../core/config-entry.ts";
import type { Environment } from "../../core/environment.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import { type ResolvedCopyConfig, resolveCopyConfig, type TemplateValue } from "../../core/resolve-copy-config.ts";
import { readBranchFile } from "./read-branch-file.ts";
import { readRepositoryConfigFile } from "./read-repository-config-file.ts";
import { readTemplateFileConfig } from "./read-template-file-config.ts";

export interface AssembleCopyConfigInput {
  repository: RepositoryConfig;
  environment: Pick<Environment, "kind" | "branch">;
  /** The project the copy runs as (the platform names it: projectNameOf). */
  projectName: string;
  checkoutDir: string;
  /** The environment's own values (registry), the top of the order. */
  environmentOverrides: readonly ConfigOverride[];
  /** A template stack's config, decrypted on the platform's side (readTemplateStackConfig). */
  readTemplateStack: (stackName: string) => Promise<Record<string, TemplateValue>>;
}

export interface AssembledCopyConfig extends ResolvedCopyConfig {
  /** Said in the job's log: what the template gave (never a value). */
  notes: string[];
}

/**
 * A copy's config from its four sources (README, "A copy of production"): the template (a stack,
 * or the branch's `Pulumi.<stack>.yaml` with that stack's secrets), the platform's overrides, the
 * branch's `.stackfork/config.json`, the environment's own values; never-copied keys left out.
 */
export async function assembleCopyConfig(input: AssembleCopyConfigInput): Promise<AssembledCopyConfig> {
  const { repository, projectName } = input;
  const notes: string[] = [];
  const branchProject = readBranchProjectName(input.checkoutDir, repository.stackPath);
  // Keys written under the branch's own project name (`service:memorySize`) are the copy's project's.
  const requalify = (key: string) =>
    branchProject && key.startsWith(`${branchProject}:`)
      ? `${projectName}:${key.slice(branchProject.length + 1)}`
      : key;
  const template: Record<string, TemplateValue> = {};
  const take = (values: Record<string, TemplateValue>) => {
    for (const [key, value] of Object.entries(values)) template[requalify(key)] = value;
  };

  if (repository.template && "stack" in repository.template) {
    const values = await input.readTemplateStack(repository.template.stack);
    take(values);
    notes.push(describeTemplate(`stack ${repository.template.stack}`, values));
  } else if (repository.template && "file" in repository.template) {
    const file = readTemplateFileConfig(input.checkoutDir, repository.stackPath, repository.template.file);
    take(Object.fromEntries(Object.entries(file.plain).map(([key, value]) => [key, { value, secret: false }])));
    if (file.secureKeys.length > 0) {
      // The file's ciphertext is the template stack's; its values come from that stack itself.
      const fromStack = await input.readTemplateStack(file.stackName).catch(() => undefined);
      const stackValues = new Map(Object.entries(fromStack ?? {}).map(([key, value]) => [requalify(key), value]));
      const secrets = Object.fromEntries(
        file.secureKeys.flatMap((key) => {
          const value = stackValues.get(requalify(key));
          return value ? [[key, { value: value.value, secret: true }] as const] : [];
        }),
      );
      take(secrets);
      const missing = file.secureKeys.length - Object.keys(secrets).length;
      notes.push(
        `config template ${repository.template.file}: ${Object.keys(file.plain).length} plain values from the branch, ` +
          `${Object.keys(secrets).length} secure values from stack ${file.stackName}` +
          (missing > 0
            ? `, ${missing} left out (${fromStack ? "not in" : "no readable"} stack ${file.stackName})`
            : ""),
      );
    } else {
      notes.push(
        `config template ${repository.template.file}: ${Object.keys(file.plain).length} plain values from the branch`,
      );
    }
  }

  const resolved = resolveCopyConfig({
    projectName,
    kind: input.environment.kind,
    branch: input.environment.branch,
    template,
    neverCopy: repository.neverCopy ?? [],
    platform: repository.overrides ?? [],
    repository: readRepositoryConfigFile(input.checkoutDir),
    environment: input.environmentOverrides,
  });
  return { ...resolved, notes };
}

function describeTemplate(what: string, values: Record<string, TemplateValue>): string {
  const secret = Object.values(values).filter((v) => v.secret).length;
  return `config template ${what}: ${Object.keys(values).length - secret} plain and ${secret} secret values`;
}

function readBranchProjectName(checkoutDir: string, stackPath: string): string | undefined {
  try {
    const text = readBranchFile(checkoutDir, `${stackPath}/Pulumi.yaml`, 256 * 1024);
    const name = text === undefined ? undefined : (parseYaml(text) as { name?: unknown } | null)?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}
