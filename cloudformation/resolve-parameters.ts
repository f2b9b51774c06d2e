import { StackforkError } from "../core/errors.ts";
import type { Template } from "./read-template.ts";

export interface ResolvedParameters {
  /** The values the copy's stack is given; a parameter left out takes the template's Default. */
  values: Record<string, string>;
  /** Those of `values` that are NoEcho: kept as secrets, never written to a log. */
  secretKeys: string[];
  /** Where each value came from, for the log (no values). */
  sources: Record<string, "production" | "override">;
}

/**
 * A copy's parameters: the production stack's values (DescribeStacks) for the parameters the
 * branch's template declares, the repository's overrides on top. Production shows a NoEcho
 * parameter as `****`, so such a value can come only from an override or the template's Default
 * (which may resolve a secret from SSM or Secrets Manager): otherwise the deploy is refused.
 */
export function resolveParameters(
  template: Template,
  production: Readonly<Record<string, string>> | undefined,
  overrides: Readonly<Record<string, string>> = {},
): ResolvedParameters {
  const declared = template.Parameters ?? {};
  const values: Record<string, string> = {};
  const sources: ResolvedParameters["sources"] = {};
  const secretKeys: string[] = [];
  const missing: string[] = [];
  for (const [key, spec] of Object.entries(declared)) {
    const noEcho = spec?.NoEcho === true || spec?.NoEcho === "true";
    if (key in overrides) {
      values[key] = overrides[key] as string;
      sources[key] = "override";
    } else if (production && key in production && !noEcho) {
      values[key] = production[key] as string;
      sources[key] = "production";
    } else if (noEcho && production && key in production && spec?.Default === undefined) {
      missing.push(key);
      continue;
    } else continue;
    if (noEcho) secretKeys.push(key);
  }
  const unknown = Object.keys(overrides).filter((key) => !(key in declared));
  if (unknown.length > 0)
    throw new StackforkError(
      "TEMPLATE_INVALID",
      `cloudformation.parameters names ${unknown.join(", ")}, which the branch's template does not declare`,
    );
  if (missing.length > 0)
    throw new StackforkError(
      "PARAMETER_UNAVAILABLE",
      `${missing.join(", ")}: NoEcho in the production stack, so its value cannot be read to copy; give it in the repository's cloudformation.parameters, or give the parameter a Default in the template (a value, or resolve the secret in the resources with {{resolve:ssm-secure:...}} / {{resolve:secretsmanager:...}})`,
    );
  return { values, secretKeys, sources };
}
