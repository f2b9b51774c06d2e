import type { GitHubOctokit } from "./create-github-client.ts";
import { translateGitHubError } from "./translate-github-error.ts";

/** One page of a list read from GitHub, kept so that a 304 can stand for it. */
export interface CachedPage<T> {
  etag?: string;
  /** GitHub's `Link` had a `next`. */
  hasNext: boolean;
  items: T[];
}

/** GitHub's rate limit as the last answer told it (`x-ratelimit-remaining`, `x-ratelimit-reset`). */
export interface RateLimitState {
  remaining?: number;
  limit?: number;
  /** When the window resets. */
  resetAt?: Date;
}

/** What one read of a paginated list cost. */
export interface RequestCount {
  /** Requests sent (each conditional when a page was cached). */
  sent: number;
  /** Answered 304 Not Modified: the cached page stood for it (and GitHub counted no request). */
  notModified: number;
}

export interface ConditionalListOptions<T> {
  octokit: GitHubOctokit;
  /** e.g. `GET /repos/{owner}/{repo}/branches` */
  route: string;
  parameters: Record<string, string | number>;
  /** The pages of the last read, with their ETags. */
  cached: readonly CachedPage<T>[];
  toItem: (raw: Record<string, unknown>) => T;
  rateLimit: RateLimitState;
  count: RequestCount;
  /** @default 100 (GitHub's largest page) */
  perPage?: number;
}

/**
 * Reads every page of a list, each with `If-None-Match` when it was read before: an unchanged page
 * answers 304 and costs nothing against the rate limit, its cached items stand for it. Pages are
 * compared one by one (a change on page 2 does not change page 1's ETag), and a page's cached
 * `hasNext` says whether to go on after a 304. A rate limit, or any other failure, throws: a list
 * read only in part must never be taken for the whole (a branch on a missing page is not deleted).
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 */
export async function readListConditionally<T>(options: ConditionalListOptions<T>): Promise<CachedPage<T>[]> {
  const { octokit, cached, count } = options;
  const perPage = options.perPage ?? 100;
  const pages: CachedPage<T>[] = [];
  for (let page = 1; ; page++) {
    const previous = cached[page - 1];
    count.sent += 1;
    let read: CachedPage<T>;
    try {
      const response = await octokit.request(options.route, {
        ...options.parameters,
        per_page: perPage,
        page,
        headers: previous?.etag ? { "if-none-match": previous.etag } : {},
      });
      noteRateLimit(options.rateLimit, response.headers);
      const data = response.data as Record<string, unknown>[];
      read = {
        etag: typeof response.headers.etag === "string" ? response.headers.etag : undefined,
        hasNext: /\brel="next"/.test(String(response.headers.link ?? "")),
        items: data.map(options.toItem),
      };
    } catch (err) {
      const status = (err as { status?: number }).status;
      const headers = (err as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {};
      noteRateLimit(options.rateLimit, headers);
      if (status === 304 && previous) {
        count.notModified += 1;
        read = previous;
      } else {
        throw translateGitHubError(err, options.route);
      }
    }
    pages.push(read);
    if (!read.hasNext) return pages;
  }
}

/** Keeps the lowest `remaining` seen in a window (answers may arrive out of order). */
export function noteRateLimit(state: RateLimitState, headers: Record<string, unknown>): void {
  const remaining = Number(headers["x-ratelimit-remaining"]);
  const reset = Number(headers["x-ratelimit-reset"]);
  const limit = Number(headers["x-ratelimit-limit"]);
  if (Number.isFinite(limit)) state.limit = limit;
  if (!Number.isFinite(remaining)) return;
  const resetAt = Number.isFinite(reset) ? new Date(reset * 1000) : undefined;
  const newWindow = resetAt && state.resetAt && resetAt.getTime() > state.resetAt.getTime();
  if (state.remaining === undefined || newWindow || remaining < state.remaining) {
    state.remaining = remaining;
    state.resetAt = resetAt ?? state.resetAt;
  }
}
