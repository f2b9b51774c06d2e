import type { Environment, EnvironmentIdentity, EnvironmentStatus } from "../core/environment.ts";

/** A just-created environment of `identity`: named `name` (also its id), nothing deployed yet. */
export function newEnvironment(
  identity: EnvironmentIdentity,
  name: string,
  status: EnvironmentStatus,
  now: Date,
): Environment {
  const at = now.toISOString();
  return {
    id: name,
    name,
    kind: identity.kind,
    repository: identity.repository,
    branch: identity.branch,
    ...(identity.kind === "pull_request" && { pullRequest: identity.pullRequest }),
    ...(identity.kind === "sandbox" && { owner: identity.owner }),
    status,
    createdAt: at,
    updatedAt: at,
  };
}
