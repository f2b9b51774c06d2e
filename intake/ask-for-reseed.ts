import type { Environment } from "../core/environment.ts";
import type { Via } from "../core/principal.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * Records that the repository's seed step must run again on this environment's next successful
 * deploy (core/decide-seed.ts reads it): the reseed of the API, the CLI, the dashboard and
 * `/stackfork reseed`, each followed by a redeploy.
 */
export async function askForReseed(
  registry: Pick<Registry, "appendEvent">,
  environment: Pick<Environment, "id">,
  actor: string,
  now: Date,
  via?: Via,
): Promise<void> {
  await registry.appendEvent({
    environmentId: environment.id,
    at: now.toISOString(),
    type: "seed_requested",
    message: "reseed asked for",
    actor,
    ...(via && { via }),
  });
}
