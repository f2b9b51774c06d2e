import type { Environment } from "../core/environment.ts";
import { assertTransition } from "../core/environment-status.ts";
import { StackforkError } from "../core/errors.ts";
import type { EnvironmentPatch } from "./registry.ts";

/**
 * The environment after `patch`, stamped `now`: `undefined` leaves a field alone, `null` clears it.
 * Throws INVALID_TRANSITION for a status change core/environment-status refuses, INVALID_INPUT for a
 * change of what identifies the environment (a pull request's number, a non-sandbox's branch).
 */
export function applyEnvironmentPatch(current: Environment, patch: EnvironmentPatch, now: Date): Environment {
  if (patch.status !== undefined) assertTransition(current.status, patch.status);
  const details = { id: current.id };
  if (current.kind === "pull_request" && patch.pullRequest !== undefined && patch.pullRequest !== current.pullRequest) {
    throw new StackforkError("INVALID_INPUT", "a pull request environment keeps its pull request number", { details });
  }
  if (patch.branch !== undefined && patch.branch !== current.branch && current.kind !== "sandbox") {
    throw new StackforkError("INVALID_INPUT", "only a sandbox's branch (its ref) may change", { details });
  }
  const { url, commitSha, expiresAt, lastError, lastDeployMs, outputs, pullRequest, ...kept } = current;
  const optional = {
    pullRequest: pick(patch.pullRequest, pullRequest),
    url: pick(patch.url, url),
    commitSha: pick(patch.commitSha, commitSha),
    expiresAt: pick(patch.expiresAt, expiresAt),
    // Only the two fields of the JSON, whatever else the caller's object holds.
    lastError: pick(patch.lastError && { code: patch.lastError.code, message: patch.lastError.message }, lastError),
    lastDeployMs: pick(patch.lastDeployMs, lastDeployMs),
    outputs: pick(patch.outputs, outputs),
  };
  return {
    ...kept,
    branch: patch.branch ?? current.branch,
    status: patch.status ?? current.status,
    updatedAt: now.toISOString(),
    // Cleared fields are left out, never `undefined` or `null`: the Environment JSON of DESIGN.md.
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

function pick<T>(patched: T | null | undefined, current: T | undefined): T | undefined {
  return patched === undefined ? current : (patched ?? undefined);
}
