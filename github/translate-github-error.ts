import { type ErrorCode, StackforkError } from "../core/errors.ts";

export interface GitHubErrorOptions {
  /** What a 404 (or a 422: GitHub's "no such commit") means to the caller. @default GITHUB_UNAVAILABLE */
  notFound?: ErrorCode;
}

/**
 * The one translation of GitHub's answers into our codes, by HTTP status and headers (never by
 * message text). A rate limit, 403 or 429, becomes GITHUB_RATE_LIMITED with `retryAt`: primary when
 * `x-ratelimit-remaining` is 0, secondary when `retry-after` says how long to wait, and every 429;
 * a 403 with neither is a refusal, not a limit (GitHub may leave `retry-after` off a secondary limit:
 * Octokit's throttling plugin has already waited those out before the error reaches here). 404 and
 * 422 become `notFound` when the caller says what they mean; anything else GITHUB_UNAVAILABLE
 * (Octokit has already retried what it retries).
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
 */
export function translateGitHubError(err: unknown, what: string, options: GitHubErrorOptions = {}): StackforkError {
  if (err instanceof StackforkError) return err;
  const status = (err as { status?: number }).status;
  const headers = (err as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {};
  if (status === 403 || status === 429) {
    const retryAfter = Number(headers["retry-after"]);
    const reset = Number(headers["x-ratelimit-reset"]);
    const primary = headers["x-ratelimit-remaining"] === "0" || headers["x-ratelimit-remaining"] === 0;
    const secondary = status === 429 || Number.isFinite(retryAfter);
    if (primary || secondary) {
      const retryAt = Number.isFinite(retryAfter)
        ? new Date(Date.now() + retryAfter * 1000)
        : Number.isFinite(reset)
          ? new Date(reset * 1000)
          : new Date(Date.now() + 60_000);
      return new StackforkError("GITHUB_RATE_LIMITED", `${what}: GitHub's ${primary ? "" : "secondary "}rate limit`, {
        cause: err,
        details: { status, retryAt: retryAt.toISOString() },
      });
    }
  }
  if (options.notFound && (status === 404 || status === 422)) {
    return new StackforkError(options.notFound, `${what}: not found on GitHub (HTTP ${status})`, { cause: err });
  }
  const why = status === undefined ? String((err as Error).message ?? err) : `HTTP ${status}`;
  return new StackforkError("GITHUB_UNAVAILABLE", `${what}: GitHub did not answer (${why})`, {
    cause: err,
    details: { status },
  });
}
