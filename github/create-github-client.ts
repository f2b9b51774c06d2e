import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import type { Logger } from "../core/logger.ts";

const StackforkOctokit = Octokit.plugin(retry, throttling);
/** Octokit with the REST methods, pagination, retries (5xx, network) and rate-limit handling. */
export type GitHubOctokit = InstanceType<typeof StackforkOctokit>;

/** How stackfork authenticates: a token (`GITHUB_TOKEN`, a PAT), or a GitHub App. */
export type GitHubAuth =
  | { token: string }
  | {
      appId: number | string;
      /** The App's private key, PEM (PKCS#1 as GitHub hands it out, or PKCS#8). */
      privateKey: string;
    };

export interface GitHubClientOptions {
  auth: GitHubAuth;
  log: Logger;
  /**
   * The REST API: GitHub Enterprise Server's `https://<host>/api/v3`, or a test double.
   * @default "https://api.github.com"
   */
  baseUrl?: string;
  /** Where people open commits and PRs, for links. @default derived from baseUrl (https://github.com) */
  webUrl?: string;
  /** Retries of a request that failed with 5xx, a dropped connection or a rate limit. @default 3 */
  retries?: number;
  /**
   * Milliseconds per second of wait: 5xx retries wait (n+1)² units, rate limits the seconds GitHub
   * asks for. Tests pass 1 so that nothing really waits.
   * @default 1000
   */
  retryAfterBaseMs?: number;
  /** A rate limit that lifts later than this is not waited for: the request fails. @default 60 */
  maxRateLimitWaitSeconds?: number;
  /**
   * Spacing of writes (POST/PATCH/PUT/DELETE), which GitHub asks for to stay clear of secondary
   * rate limits; comment creation is spaced three times as much, as Octokit's default does.
   * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests
   * @default 1000
   */
  writeIntervalMs?: number;
  /** How long an App's installation id for a repository is kept. @default 1 hour */
  installationCacheMs?: number;
}

export interface GitHubClient {
  /** An Octokit allowed into `owner/name`: the token's, or the App installation's for that repository. */
  forRepository(repository: string): Promise<GitHubOctokit>;
  /** Where people open commits and PRs: https://github.com, or the GitHub Enterprise host. */
  readonly webUrl: string;
  /**
   * Octokit authenticated as the GitHub App itself (a JWT), for `/app/*` routes such as the App
   * hook's deliveries; absent with a token.
   */
  readonly app?: GitHubOctokit;
}

/**
 * Octokit for stackfork, one per credential: with a token, one client for every repository; with a
 * GitHub App, one per installation, found per repository with `GET /repos/{owner}/{repo}/installation`
 * (cached) and authenticated with installation tokens that @octokit/auth-app mints and renews.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { auth, log } = options;
  const baseUrl = (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const common = clientOptions(options, baseUrl);
  const webUrl = options.webUrl ?? deriveWebUrl(baseUrl);

  if ("token" in auth) {
    const octokit = new StackforkOctokit({ ...common, auth: auth.token });
    return { webUrl, forRepository: async () => octokit };
  }

  const app = new StackforkOctokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: auth.appId, privateKey: auth.privateKey },
  });
  const cacheMs = options.installationCacheMs ?? 3_600_000;
  const byRepository = new Map<string, { octokit: Promise<GitHubOctokit>; at: number }>();
  const byInstallation = new Map<number, GitHubOctokit>();

  const lookUp = async (repository: string): Promise<GitHubOctokit> => {
    const [owner = "", repo = ""] = repository.split("/");
    const { data } = await app.rest.apps.getRepoInstallation({ owner, repo });
    let octokit = byInstallation.get(data.id);
    if (!octokit) {
      octokit = new StackforkOctokit({
        ...common,
        authStrategy: createAppAuth,
        auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: data.id },
      });
      byInstallation.set(data.id, octokit);
      log.debug({ repository, installationId: data.id }, "GitHub App installation found");
    }
    return octokit;
  };

  return {
    webUrl,
    app,
    forRepository(repository) {
      const key = repository.toLowerCase();
      const cached = byRepository.get(key);
      if (cached && Date.now() - cached.at < cacheMs) return cached.octokit;
      const octokit = lookUp(repository);
      byRepository.set(key, { octokit, at: Date.now() });
      // A failed look-up (not installed yet, GitHub down) is tried again next time.
      octokit.catch(() => byRepository.delete(key));
      return octokit;
    },
  };
}

function clientOptions(options: GitHubClientOptions, baseUrl: string) {
  const { log } = options;
  const retries = options.retries ?? 3;
  const baseMs = options.retryAfterBaseMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const writeIntervalMs = options.writeIntervalMs ?? 1000;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const again = retryCount < retries && retryAfter <= maxWait;
      log.warn(
        { method: request.method, url: request.url, retryAfterSeconds: retryAfter, retryCount },
        again ? `GitHub ${kind}: retrying` : `GitHub ${kind}: giving up`,
      );
      return again;
    };
  return {
    baseUrl,
    userAgent: "stackfork",
    // Octokit logs every request at info: that is our debug.
    log: {
      debug: (message: string) => log.debug({ source: "octokit" }, message),
      info: (message: string) => log.debug({ source: "octokit" }, message),
      warn: (message: string) => log.warn({ source: "octokit" }, message),
      error: (message: string) => log.warn({ source: "octokit" }, message),
    },
    retry: { retries, retryAfterBaseValue: baseMs },
    throttle: {
      retryAfterBaseValue: baseMs,
      // Our own groups, not the process-wide defaults, so that the spacing is ours to set.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs * 3 }),
      onRateLimit: onLimit("rate limit"),
      onSecondaryRateLimit: onLimit("secondary rate limit"),
    },
  };
}

/** api.github.com -> github.com; GitHub Enterprise Server's `https://host/api/v3` -> `https://host`. */
function deriveWebUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, "").replace(/\/+$/, "")}`;
}
