import type { Environment } from "../core/environment.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * The registry as the dashboard and the API read it: every environment they read is `present`ed
 * (routed `url`, `directUrl`); everything else, writes included, goes to the registry itself.
 */
export function presentRegistryReads(registry: Registry, present: (environment: Environment) => Environment): Registry {
  const view: Partial<Registry> = {
    getEnvironment: async (id) => {
      const environment = await registry.getEnvironment(id);
      return environment && present(environment);
    },
    listEnvironments: async (query) => {
      const page = await registry.listEnvironments(query);
      return { ...page, environments: page.environments.map(present) };
    },
  };
  return Object.assign(Object.create(registry) as Registry, view);
}
