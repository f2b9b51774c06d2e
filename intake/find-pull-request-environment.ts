import type { Environment } from "../core/environment.ts";
import type { PullRequestRef } from "../core/intent.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";

/**
 * The environment of a pull request, known only by its number (a comment names no branch): a fork's
 * own `pull_request` environment, else the head branch's environment linked to it (the live one
 * first). Reads the repository's branch environments page by page: commands are rare, and the
 * registry port has no index by pull request.
 */
export async function findPullRequestEnvironment(
  registry: Registry,
  { repository, number }: PullRequestRef,
): Promise<Environment | undefined> {
  const fork = await registry.findEnvironment({ kind: "pull_request", repository, pullRequest: number, branch: "" });
  if (fork) return fork;
  let destroyed: Environment | undefined;
  for await (const environment of eachEnvironment(registry, { repository, kind: "branch", includeDestroyed: true })) {
    if (environment.pullRequest !== number) continue;
    if (environment.status !== "destroyed") return environment;
    destroyed ??= environment;
  }
  return destroyed;
}
