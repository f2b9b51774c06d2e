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

/** A value with the source it came from. */
export interface SourcedValue extends TemplateValue {
  source: ConfigSource;
}

export interface CopyConfigInputs {
  /**
   * The Pulumi project the copy's program runs as: unqualified keys belong to it. None: keys are
   * names of their own (a CloudFormation template's parameters), never qualified.
   */
  projectName: string | undefined;
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

/** Everything above the template: what a CloudFormation copy resolves on the platform's side before its job reads production. */
export type ConfigOverrideInputs = Omit<CopyConfigInputs, "template" | "neverCopy">;

/** The effective config with its values (for the stack) and its entries with sources (for people). */
export interface ResolvedCopyConfig {
  values: Record<string, TemplateValue>;
  entries: ConfigEntry[];
}

/** `memorySize` -> `<project>:memorySize`; a key with a namespace stays as it is. */
export function qualifyConfigKey(key: string, projectName: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

function qualifierOf(projectName: string | undefined): (key: string) => string {
  return projectName === undefined ? (key) => key : (key) => qualifyConfigKey(key, projectName);
}

/**
 * A copy's config: the template, minus the never-copied keys, under the platform's overrides that
 * match the copy (in the order written), under the repository's file, under the environment's own
 * values. A value set over a secret one stays secret: a key's secrecy never weakens on the way up.
 */
export function resolveCopyConfig(inputs: CopyConfigInputs): ResolvedCopyConfig {
  return placeOverTemplate(inputs.projectName, inputs.template, inputs.neverCopy, resolveConfigOverrides(inputs));
}

/**
 * The layers above the template, in their order: the platform's overrides that match the copy (as
 * written), the repository's file, the environment's values; keys qualified.
 */
export function resolveConfigOverrides(inputs: ConfigOverrideInputs): Record<string, SourcedValue> {
  const qualify = qualifierOf(inputs.projectName);
  const values: Record<string, SourcedValue> = {};
  const put = (key: string, value: string, secret: boolean, source: ConfigSource) => {
    const qualified = qualify(key);
    values[qualified] = { value, secret: secret || values[qualified]?.secret === true, source };
  };
  for (const override of inputs.platform) {
    if (override.kind !== undefined && override.kind !== inputs.kind) continue;
    if (override.branch !== undefined && !matchBranchGlob(override.branch, inputs.branch)) continue;
    for (const [key, value] of Object.entries(override.config)) put(key, value, false, "platform");
  }
  for (const [key, value] of Object.entries(inputs.repository)) put(key, value, false, "repository");
  for (const { key, value, secret } of inputs.environment) put(key, value, secret, "environment");
  return values;
}

/** The template (never-copied keys left out) under the overrides resolveConfigOverrides gave, sorted by key. */
export function placeOverTemplate(
  projectName: string | undefined,
  template: Record<string, TemplateValue>,
  neverCopy: readonly string[],
  overrides: Record<string, SourcedValue>,
): ResolvedCopyConfig {
  const qualify = qualifierOf(projectName);
  const never = new Set(neverCopy.map(qualify));
  const values = new Map<string, SourcedValue>();
  for (const [key, { value, secret }] of Object.entries(template)) {
    if (!never.has(qualify(key))) values.set(qualify(key), { value, secret, source: "template" });
  }
  for (const [key, override] of Object.entries(overrides)) {
    values.set(key, { ...override, secret: override.secret || values.get(key)?.secret === true });
  }
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
