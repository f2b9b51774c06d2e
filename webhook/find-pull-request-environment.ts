import type { Environment } from "../core/environment.ts";
import type { PullRequestRef } from "../core/intent.ts";
import type { Registry } from "../registry/registry.ts";

const PAGE = 500;

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
  let cursor: string | undefined;
  do {
    const page = await registry.listEnvironments({
      repository,
      kind: "branch",
      includeDestroyed: true,
      limit: PAGE,
      cursor,
    });
    for (const environment of page.environments) {
      if (environment.pullRequest !== number) continue;
      if (environment.status !== "destroyed") return environment;
      destroyed ??= environment;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return destroyed;
}
