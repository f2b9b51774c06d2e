import type { ConfigEntry, ConfigSource } from "../core/config-entry.ts";
import { StackforkError } from "../core/errors.ts";
import { placeOverTemplate, type SourcedValue, type TemplateValue } from "../core/resolve-copy-config.ts";
import type { Template } from "./read-template.ts";

export interface ResolvedParameters {
  /** The values the copy's stack is given; a parameter left out takes the template's Default. */
  values: Record<string, string>;
  /** Those of `values` that are secret (NoEcho, or set `--secret`): kept as secrets, never written to a log. */
  secretKeys: string[];
  /** The effective parameters with their sources, secrets masked (the environment's `config`). */
  entries: ConfigEntry[];
}

/** How the log names a source (never a value). */
const FROM: Record<Exclude<ConfigSource, "template">, string> = {
  platform: "the platform's config (cloudformation.parameters, overrides)",
  repository: "the branch's .stackfork/config.json",
  environment: "the environment's own values",
};

/** What a log line says of a parameter's origin. */
export function describeParameterSource(source: ConfigSource, productionStack: string | undefined): string {
  return source === "template" ? `production (${productionStack})` : FROM[source];
}

/**
 * A copy's parameters (README, "CloudFormation copies"): the production stack's values
 * (DescribeStacks) for the parameters the branch's template declares are the template of the copy's
 * config, under the overrides the platform resolved in the usual order (core/resolve-copy-config.ts:
 * its own config, the branch's file, the environment's values). Production shows a NoEcho
 * parameter as `****`, and a never-copied one is not taken from it: such a value can come only from
 * an override or the template's Default (which may resolve a secret from SSM or Secrets Manager),
 * otherwise the deploy is refused with PARAMETER_UNAVAILABLE. A NoEcho parameter is a secret
 * whichever source gives it.
 */
export function resolveParameters(
  template: Template,
  production: Readonly<Record<string, string>> | undefined,
  overrides: Readonly<Record<string, SourcedValue>> = {},
  neverCopy: readonly string[] = [],
): ResolvedParameters {
  const declared = template.Parameters ?? {};
  const isNoEcho = (key: string) => declared[key]?.NoEcho === true || declared[key]?.NoEcho === "true";
  const unknown = Object.entries(overrides).filter(([key]) => !(key in declared));
  if (unknown.length > 0)
    throw new StackforkError(
      "TEMPLATE_INVALID",
      `${unknown.map(([key, { source }]) => `${key} (from ${describeParameterSource(source, undefined)})`).join(", ")}: not declared by the branch's template; a CloudFormation copy's config keys are its template's parameters`,
    );
  const fromProduction: Record<string, TemplateValue> = {};
  for (const key of Object.keys(declared))
    if (production && key in production && !isNoEcho(key))
      fromProduction[key] = { value: production[key] as string, secret: false };
  const marked = Object.fromEntries(
    Object.entries(overrides).map(([key, value]) => [key, { ...value, secret: value.secret || isNoEcho(key) }]),
  );
  const resolved = placeOverTemplate(undefined, fromProduction, neverCopy, marked);

  const neverCopied = new Set(neverCopy);
  const missing: string[] = [];
  const withheld: string[] = [];
  for (const [key, spec] of Object.entries(declared)) {
    if (key in resolved.values || spec?.Default !== undefined) continue;
    if (neverCopied.has(key)) withheld.push(key);
    else if (isNoEcho(key) && production && key in production) missing.push(key);
  }
  if (withheld.length > 0)
    throw new StackforkError(
      "PARAMETER_UNAVAILABLE",
      `${withheld.join(", ")}: never copied from production (neverCopy), and neither an override nor the template's Default gives a value; give one in the repository's overrides or cloudformation.parameters, the branch's .stackfork/config.json or \`stackfork config set\`, or a Default in the template`,
    );
  if (missing.length > 0)
    throw new StackforkError(
      "PARAMETER_UNAVAILABLE",
      `${missing.join(", ")}: NoEcho in the production stack, so its value cannot be read to copy; give it in the repository's cloudformation.parameters (or any override), or give the parameter a Default in the template (a value, or resolve the secret in the resources with {{resolve:ssm-secure:...}} / {{resolve:secretsmanager:...}})`,
    );
  const values = Object.fromEntries(Object.entries(resolved.values).map(([key, { value }]) => [key, value]));
  const secretKeys = Object.entries(resolved.values).flatMap(([key, { secret }]) => (secret ? [key] : []));
  return { values, secretKeys, entries: resolved.entries };
}
