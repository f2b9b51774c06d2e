import type { ConfigOverride } from "../../core/config-entry.ts";
import type { Environment } from "../../core/environment.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import type { PulumiEngineOptions } from "../pulumi-engine-options.ts";
import { createSecretRedactor } from "../redact-secrets.ts";
import { type AssembledCopyConfig, assembleCopyConfig } from "./assemble-copy-config.ts";
import { readTemplateStackConfig } from "./read-template-stack-config.ts";

export interface ConfigureCopyInput {
  repository: RepositoryConfig;
  environment: Pick<Environment, "kind" | "branch">;
  projectName: string;
  checkoutDir: string;
  environmentOverrides: readonly ConfigOverride[];
  /** The platform's engine as it opens one stack (that stack's secrets provider). */
  engineFor: (stackName: string) => PulumiEngineOptions;
}

/**
 * What a deploy job does with a copy's config, on the platform's side before its runner starts:
 * assemble it, and a log filter that hides every secret value of it (template secrets included).
 */
export async function configureCopy(
  input: ConfigureCopyInput,
): Promise<AssembledCopyConfig & { redact: (line: string) => string }> {
  const assembled = await assembleCopyConfig({
    ...input,
    readTemplateStack: (stackName) => readTemplateStackConfig(input.engineFor(stackName), input.projectName, stackName),
  });
  const secrets = Object.values(assembled.values).flatMap(({ value, secret }) => (secret ? [value] : []));
  return { ...assembled, redact: createSecretRedactor(secrets) };
}
