import type { Environment } from "../core/environment.ts";

/** An environment whose optional fields may be stored as `undefined` (a row's NULL, an item's absent attribute). */
export type StoredEnvironment = { [K in keyof Environment]: Environment[K] | undefined } & Pick<
  Environment,
  "id" | "name" | "kind" | "repository" | "branch" | "status" | "createdAt" | "updatedAt"
>;

/**
 * Absent optional fields are left out, never `undefined` or `null`: the Environment JSON of
 * DESIGN.md. The fields in that order, and of `lastError` only its code and message.
 */
export function compactEnvironment(stored: StoredEnvironment): Environment {
  return {
    id: stored.id,
    name: stored.name,
    kind: stored.kind,
    repository: stored.repository,
    branch: stored.branch,
    ...(stored.pullRequest !== undefined && { pullRequest: stored.pullRequest }),
    ...(stored.owner !== undefined && { owner: stored.owner }),
    status: stored.status,
    ...(stored.url !== undefined && { url: stored.url }),
    ...(stored.commitSha !== undefined && { commitSha: stored.commitSha }),
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    ...(stored.expiresAt !== undefined && { expiresAt: stored.expiresAt }),
    ...(stored.lastError !== undefined && {
      lastError: { code: stored.lastError.code, message: stored.lastError.message },
    }),
    ...(stored.lastDeployMs !== undefined && { lastDeployMs: stored.lastDeployMs }),
    ...(stored.outputs !== undefined && { outputs: stored.outputs }),
    ...(stored.cost !== undefined && { cost: stored.cost }),
  };
}
