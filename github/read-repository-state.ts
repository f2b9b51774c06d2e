import type { GitHubRepositoryState, OpenPullRequest } from "../core/decide-reconciliation.ts";
import type { GitHubOctokit } from "./create-github-client.ts";
import {
  type CachedPage,
  type RateLimitState,
  type RequestCount,
  readListConditionally,
} from "./read-list-conditionally.ts";

export interface CachedBranch {
  name: string;
  sha: string;
}

export type CachedPullRequest = OpenPullRequest;

export interface RepositoryStateRead {
  state: GitHubRepositoryState;
  branchPages: CachedPage<CachedBranch>[];
  pullPages: CachedPage<CachedPullRequest>[];
  /** Every page answered 304: GitHub has nothing new since the last read. */
  unchanged: boolean;
}

/**
 * A repository's branches with their heads and its open pull requests, each list paginated and
 * read conditionally against the pages of the last read.
 * https://docs.github.com/en/rest/branches/branches#list-branches
 * https://docs.github.com/en/rest/pulls/pulls#list-pull-requests
 */
export async function readRepositoryState(options: {
  octokit: GitHubOctokit;
  repository: string;
  cached: { branchPages: readonly CachedPage<CachedBranch>[]; pullPages: readonly CachedPage<CachedPullRequest>[] };
  rateLimit: RateLimitState;
  count: RequestCount;
  perPage?: number;
}): Promise<RepositoryStateRead> {
  const [owner = "", repo = ""] = options.repository.split("/");
  const before = { ...options.count };
  const common = {
    octokit: options.octokit,
    rateLimit: options.rateLimit,
    count: options.count,
    perPage: options.perPage,
  };
  const branchPages = await readListConditionally<CachedBranch>({
    ...common,
    route: "GET /repos/{owner}/{repo}/branches",
    parameters: { owner, repo },
    cached: options.cached.branchPages,
    toItem: (raw) => ({ name: String(raw.name), sha: String((raw.commit as { sha?: unknown } | undefined)?.sha) }),
  });
  const pullPages = await readListConditionally<CachedPullRequest>({
    ...common,
    route: "GET /repos/{owner}/{repo}/pulls",
    parameters: { owner, repo, state: "open" },
    cached: options.cached.pullPages,
    toItem: (raw) => {
      const head = raw.head as { ref?: unknown; sha?: unknown; repo?: { full_name?: unknown } | null } | undefined;
      const headRepository = head?.repo?.full_name;
      return {
        number: Number(raw.number),
        headRef: String(head?.ref),
        headSha: String(head?.sha),
        ...(typeof headRepository === "string" ? { headRepository } : {}),
      };
    },
  });
  const sent = options.count.sent - before.sent;
  return {
    state: {
      branches: new Map(branchPages.flatMap((p) => p.items).map((b) => [b.name, b.sha])),
      openPullRequests: pullPages.flatMap((p) => p.items),
    },
    branchPages,
    pullPages,
    unchanged: sent === options.count.notModified - before.notModified,
  };
}
