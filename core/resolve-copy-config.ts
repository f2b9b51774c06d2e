import type { ConfigEntry, ConfigOverride, ConfigSource } from "./config-entry.ts";
import type { PlatformOverride } from "./copy-config-schema.ts";
import type { EnvironmentKind } from "./environment.ts";
import { MASKED_SECRET } from "./environment.ts";
import { matchBranchGlob } from "./match-branch-glob.ts";

/** A value with its secrecy, as the template stack gives it (Pulumi's ConfigValue). */
export interface TemplateValue {
  value: string;
  secret: boolean;
}

export interface CopyConfigInputs {
  /** The Pulumi project the copy's program runs as: unqualified keys belong to it. */
  projectName: string;
  kind: EnvironmentKind;
  branch: string;
  /** Keys as the template has them (qualified or not). */
  template: Record<string, TemplateValue>;
  neverCopy: readonly string[];
  platform: readonly PlatformOverride[];
  /** The branch's `.stackfork/config.json` `config` block. */
  repository: Record<string, string>;
  environment: readonly ConfigOverride[];
}

/** The effective config with its values (for the stack) and its entries with sources (for people). */
export interface ResolvedCopyConfig {
  values: Record<string, TemplateValue>;
  entries: ConfigEntry[];
}

/** `memorySize` -> `<project>:memorySize`; a key with a namespace stays as it is. */
export function qualifyConfigKey(key: string, projectName: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

/**
 * A copy's config: the template, minus the never-copied keys, under the platform's overrides that
 * match the copy (in the order written), under the repository's file, under the environment's own
 * values. A value set over a secret one stays secret: a key's secrecy never weakens on the way up.
 */
export function resolveCopyConfig(inputs: CopyConfigInputs): ResolvedCopyConfig {
  const qualify = (key: string) => qualifyConfigKey(key, inputs.projectName);
  const neverCopy = new Set(inputs.neverCopy.map(qualify));
  const values = new Map<string, TemplateValue & { source: ConfigSource }>();
  const put = (key: string, value: string, secret: boolean, source: ConfigSource) => {
    const qualified = qualify(key);
    const below = values.get(qualified);
    values.set(qualified, { value, secret: secret || below?.secret === true, source });
  };
  for (const [key, { value, secret }] of Object.entries(inputs.template)) {
    if (!neverCopy.has(qualify(key))) put(key, value, secret, "template");
  }
  for (const override of inputs.platform) {
    if (override.kind !== undefined && override.kind !== inputs.kind) continue;
    if (override.branch !== undefined && !matchBranchGlob(override.branch, inputs.branch)) continue;
    for (const [key, value] of Object.entries(override.config)) put(key, value, false, "platform");
  }
  for (const [key, value] of Object.entries(inputs.repository)) put(key, value, false, "repository");
  for (const { key, value, secret } of inputs.environment) put(key, value, secret, "environment");

  const sorted = [...values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    values: Object.fromEntries(sorted.map(([key, { value, secret }]) => [key, { value, secret }])),
    entries: sorted.map(([key, { value, secret, source }]) => ({
      key,
      value: secret ? MASKED_SECRET : value,
      secret,
      source,
    })),
  };
}
