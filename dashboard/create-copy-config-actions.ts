import type { ConfigEntry } from "../core/config-entry.ts";
import { slugify } from "../core/environment-name.ts";
import { StackforkError } from "../core/errors.ts";
import { qualifyConfigKey } from "../core/resolve-copy-config.ts";
import { viewCopyConfig } from "../core/view-copy-config.ts";
import { askForReseed } from "../intake/ask-for-reseed.ts";
import type { Registry } from "../registry/registry.ts";
import type { ActionResult, EnvironmentActions } from "./create-environment-actions.ts";
import type { ActionBy } from "./create-request-access.ts";

export interface CopyConfigActionsDeps {
  registry: Registry;
  actions: Pick<EnvironmentActions, "redeploy">;
  now: () => Date;
  /**
   * The configured repositories: a CloudFormation repository's config keys are its template's
   * parameter names, never qualified with a project. @default none (every key qualified)
   */
  repositories?: readonly { name: string; cloudformation?: unknown }[];
}

/**
 * A copy's config and data from the API, the CLI and the dashboard (issue 19): its effective config,
 * the environment's own values (each change redeploys the copy, so it takes effect), and a reseed
 * (asked in history, then a redeploy that runs the seed step again).
 */
export function createCopyConfigActions({ registry, actions, now, repositories = [] }: CopyConfigActionsDeps) {
  /** A key as the copy's config has it: `<project>:key` for a Pulumi copy, the parameter's name for a CloudFormation one. */
  function configKeyOf(key: string, repositoryName: string): string {
    const repository = repositories.find((r) => r.name.toLowerCase() === repositoryName.toLowerCase());
    if (repository?.cloudformation !== undefined) return key;
    // The project is the platform's name for the repository (core/project-name-of.ts).
    return qualifyConfigKey(key, slugify(repositoryName));
  }
  async function requireEnvironment(id: string) {
    const environment = await registry.getEnvironment(id);
    if (!environment) throw new StackforkError("NOT_FOUND", `no environment ${id}`);
    return environment;
  }
  return {
    async listConfig(id: string): Promise<ConfigEntry[]> {
      await requireEnvironment(id);
      return viewCopyConfig(await registry.readEffectiveConfig(id), await registry.listConfigOverrides(id));
    },

    async setConfig(
      id: string,
      input: { key: string; value: string; secret?: boolean },
      by: ActionBy,
    ): Promise<ActionResult> {
      const environment = await requireEnvironment(id);
      const key = configKeyOf(input.key, environment.repository);
      await registry.putConfigOverride(id, { key, value: input.value, secret: input.secret === true }, now());
      return actions.redeploy(id, by);
    },

    async unsetConfig(id: string, key: string, by: ActionBy): Promise<ActionResult> {
      const environment = await requireEnvironment(id);
      await registry.deleteConfigOverride(id, configKeyOf(key, environment.repository));
      return actions.redeploy(id, by);
    },

    async reseed(id: string, by: ActionBy): Promise<ActionResult> {
      await askForReseed(registry, await requireEnvironment(id), by.actor, now(), by.via);
      return actions.redeploy(id, by);
    },
  };
}

export type CopyConfigActions = ReturnType<typeof createCopyConfigActions>;
