import type { Environment, EnvironmentStatus } from "../core/environment.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * `countByStatus` over the environments `sees` lets through (undefined: all, from the registry's
 * kept counts). A person's counts are counted, never the registry's: those would tell how many
 * environments the repositories they cannot read have.
 */
export async function countVisibleEnvironments(
  registry: Pick<Registry, "countByStatus" | "listEnvironments">,
  sees: ((environment: Environment) => boolean) | undefined,
): Promise<Partial<Record<EnvironmentStatus, number>>> {
  if (!sees) return registry.countByStatus();
  const counts: Partial<Record<EnvironmentStatus, number>> = {};
  for await (const environment of eachEnvironment(registry, { includeDestroyed: true })) {
    if (sees(environment)) counts[environment.status] = (counts[environment.status] ?? 0) + 1;
  }
  return counts;
}
