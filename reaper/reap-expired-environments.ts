import type { EnvironmentStatus } from "../core/environment.ts";
import { identityOf } from "../core/identity-of.ts";
import type { Logger } from "../core/logger.ts";
import { type SubmitIntentDeps, submitIntent } from "../intake/submit-intent.ts";
import { eachEnvironment } from "../registry/each-environment.ts";

export interface ReapDeps extends SubmitIntentDeps {
  log: Logger;
  now: () => Date;
}

/**
 * Settled states only: a queued or running job is still the environment's business (a deploy that
 * succeeds gives it a new expiry; a destroy is already on its way).
 */
const REAPABLE: readonly EnvironmentStatus[] = ["ready", "failed", "awaiting_approval"];

/**
 * Destroys every environment past its `expiresAt` (DESIGN.md, "Reap"): the same destroy a deleted
 * branch gets, by actor `stackfork`, with the expiry in its history, so an idle preview never lingers
 * and costs nothing forever. `/stackfork extend`, the dashboard and the API push `expiresAt` back; a
 * repository with `ttlHours: 0` gives none. Returns the environments it destroyed or queued a
 * destroy for.
 */
export async function reapExpiredEnvironments(deps: ReapDeps): Promise<string[]> {
  const now = deps.now();
  const reaped: string[] = [];
  for await (const environment of eachEnvironment(deps.registry)) {
    const { expiresAt } = environment;
    if (!expiresAt || Date.parse(expiresAt) > now.getTime() || !REAPABLE.includes(environment.status)) continue;
    const result = await submitIntent(
      deps,
      {
        type: "destroy",
        identity: identityOf(environment),
        cause: { actor: "stackfork", message: `expired at ${expiresAt} (extend it to keep it longer)` },
      },
      now,
    );
    if (result.outcome === "queued" || result.outcome === "destroyed") reaped.push(environment.id);
  }
  if (reaped.length > 0) deps.log.info({ environments: reaped }, "expired environments: destroying them");
  return reaped;
}
