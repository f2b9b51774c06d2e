import type { Environment, EnvironmentIdentity, EnvironmentStatus } from "../../core/environment.ts";
import type { Registry } from "../../registry/registry.ts";

/** Status paths the registry allows, to reach each status from a new `queued` environment. */
export const statusPaths: Record<EnvironmentStatus, EnvironmentStatus[]> = {
  queued: [],
  deploying: ["deploying"],
  ready: ["deploying", "ready"],
  failed: ["deploying", "failed"],
  destroying: ["deploying", "ready", "destroying"],
  destroyed: ["deploying", "ready", "destroying", "destroyed"],
  awaiting_approval: ["awaiting_approval"],
};

/** An environment in any status, written straight through the registry port (no worker, no engine). */
export async function seedEnvironment(
  registry: Registry,
  identity: EnvironmentIdentity,
  status: EnvironmentStatus,
  now: Date,
  fields: { url?: string; commitSha?: string; expiresAt?: string; lastDeployMs?: number; error?: string } = {},
): Promise<Environment> {
  let environment = await registry.ensureEnvironment(identity, { status: "queued", now });
  for (const next of statusPaths[status]) {
    const patch =
      next === "ready"
        ? {
            status: next,
            url: fields.url,
            commitSha: fields.commitSha,
            expiresAt: fields.expiresAt,
            lastDeployMs: fields.lastDeployMs,
          }
        : next === "failed"
          ? { status: next, lastError: { code: fields.error ?? "DEPLOY_FAILED", message: "the update failed" } }
          : next === "destroyed"
            ? { status: next, url: null }
            : { status: next };
    environment = await registry.updateEnvironment(environment.id, patch, now);
  }
  return environment;
}
