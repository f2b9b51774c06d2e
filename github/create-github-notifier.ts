import type { Environment } from "../core/environment.ts";
import type { Logger } from "../core/logger.ts";
import { createEnvironmentChain } from "./create-environment-chain.ts";
import type { GitHubClient, GitHubOctokit } from "./create-github-client.ts";
import type { EnvironmentNotice, Notifier } from "./notifier.ts";
import { environmentCommentMarker, renderEnvironmentComment } from "./render-environment-comment.ts";

export interface GitHubNotifierOptions {
  client: GitHubClient;
  log: Logger;
  /**
   * stackfork's public address, for the "log" links (deployment statuses and the comment):
   * `<dashboardUrl>/environments/<id>`. Without it there are no such links.
   * @example "https://stackfork.acme.dev"
   */
  dashboardUrl?: string;
  /** @default () => new Date() */
  now?: () => Date;
  /**
   * The most one notice may take, retries and rate-limit waits included: the worker waits for
   * notices, and a deploy must not wait long for GitHub.
   * @default 30_000
   */
  timeoutMs?: number;
}

/** Older deployments of an environment looked at when a new one succeeds or it is destroyed. */
const MAX_DEPLOYMENTS_SWEPT = 100;
/** Deployment states that still claim to be live (or on their way): these are made inactive. */
const LIVE_STATES = new Set(["success", "in_progress", "queued", "pending"]);

/**
 * Tells GitHub what happened to an environment, in two places:
 * - the Deployments API: one deployment per environment and commit (transient, named after the
 *   environment), `in_progress` -> `success` | `failure`, and `inactive` for the ones it replaced and
 *   for all of them once destroyed (GitHub then shows the environment as destroyed), so "View
 *   deployment" leads to the live copy and nothing stale piles up;
 * - for an environment linked to a pull request, one sticky comment, found by a hidden marker and
 *   edited in place at every change.
 * Never throws: whatever fails is logged with the environment's id and the deploy goes on.
 * https://docs.github.com/en/rest/deployments/deployments
 */
export function createGitHubNotifier(options: GitHubNotifierOptions): Notifier {
  const { client, log } = options;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 30_000;
  /** environment id -> its sticky comment */
  const comments = new Map<string, number>();
  /** environment id -> the deployment of its current job */
  const current = new Map<string, { id: number; sha: string }>();
  /** deployment id -> its latest state, as far as we know (we set it, or we read it) */
  const known = new Map<number, string>();
  /** One notice at a time per environment, in order, whatever the caller does. */
  const chain = createEnvironmentChain((err, environment) =>
    log.error({ err: describe(err), environment }, "GitHub not told about the environment"),
  );

  const logUrlOf = (environment: Environment) =>
    options.dashboardUrl
      ? `${options.dashboardUrl.replace(/\/+$/, "")}/environments/${encodeURIComponent(environment.id)}`
      : undefined;

  async function deliver(notice: EnvironmentNotice, noticeLog: Logger): Promise<void> {
    const { environment } = notice;
    const octokit = await client.forRepository(environment.repository);
    const [owner = "", repo = ""] = environment.repository.split("/");
    const signal = AbortSignal.timeout(timeoutMs);
    const target = { octokit, owner, repo, signal, logUrl: logUrlOf(environment) };
    // Independent of each other: one failing does not stop the other.
    await Promise.all([
      updateDeployments(target, notice).catch((err: unknown) =>
        noticeLog.error({ err: describe(err) }, "GitHub deployment status not updated"),
      ),
      updateComment(target, notice).catch((err: unknown) =>
        noticeLog.error({ err: describe(err) }, "GitHub pull request comment not updated"),
      ),
    ]);
  }

  async function updateDeployments(target: Target, notice: EnvironmentNotice): Promise<void> {
    const { environment, phase } = notice;
    const { octokit, owner, repo, signal, logUrl } = target;
    const setStatus = async (id: number, state: DeploymentState, description: string, environmentUrl?: string) => {
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state,
        description: description.slice(0, 140),
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        ...(logUrl ? { log_url: logUrl } : {}),
        request: { signal },
      });
      known.set(id, state);
    };

    switch (phase) {
      case "deploying": {
        const deployment = await findOrCreateDeployment(target, environment, notice.commitSha);
        current.set(environment.id, deployment);
        await setStatus(deployment.id, "in_progress", `Deploying ${environment.name}`);
        return;
      }
      case "ready": {
        const sha = notice.commitSha ?? environment.commitSha;
        const known = current.get(environment.id);
        const deployment = known && known.sha === sha ? known : await findOrCreateDeployment(target, environment, sha);
        await setStatus(deployment.id, "success", `${environment.name} is ready`, httpUrl(environment.url));
        current.delete(environment.id);
        await makeInactive(target, environment, { except: deployment.id, states: LIVE_STATES });
        return;
      }
      case "failed": {
        const known = current.get(environment.id);
        const sha = notice.commitSha;
        const deployment =
          known && (sha === undefined || known.sha === sha)
            ? known
            : sha
              ? await findOrCreateDeployment(target, environment, sha)
              : undefined; // failed before anything said which commit: nothing to mark
        current.delete(environment.id);
        if (deployment) {
          await setStatus(deployment.id, "failure", `${notice.error?.code ?? "failed"}: ${environment.name}`);
        }
        return;
      }
      case "destroyed":
        // Failed ones too: the environment's latest deployment must read "destroyed", not "failure".
        current.delete(environment.id);
        await makeInactive(target, environment, { states: "all" });
        return;
      case "awaiting_approval":
      case "approved":
        return; // nothing is deployed yet: the job's own notices follow
    }
  }

  /** The deployment for this environment and commit: ours from a notice ago, one GitHub has, or a new one. */
  async function findOrCreateDeployment(
    { octokit, owner, repo, signal }: Target,
    environment: Environment,
    sha: string | undefined,
  ): Promise<{ id: number; sha: string }> {
    if (sha) {
      const { data } = await octokit.rest.repos.listDeployments({
        owner,
        repo,
        sha,
        environment: environment.name,
        per_page: 1,
        request: { signal },
      });
      const found = data[0];
      if (found) return { id: found.id, sha: found.sha };
    }
    const { data, status } = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      // Without a commit yet (a deploy of "the head of the branch"), GitHub resolves the branch.
      ref: sha ?? environment.branch,
      environment: environment.name,
      description: `stackfork ${environment.kind} environment ${environment.name}`,
      transient_environment: true,
      production_environment: false,
      // Never merge the default branch in, never wait for commit statuses: we deploy what was pushed.
      auto_merge: false,
      required_contexts: [],
      payload: { stackfork: { environmentId: environment.id } },
      request: { signal },
    });
    if (status !== 201 || !("id" in data)) throw new Error(`GitHub answered ${status} without a deployment`);
    return { id: data.id, sha: data.sha };
  }

  /**
   * Transient deployments are not made inactive by GitHub (`auto_inactive` is for the others), so the
   * older ones of an environment are, here: the live ones when a newer one succeeded, all of them
   * when the environment is destroyed.
   */
  async function makeInactive(
    { octokit, owner, repo, signal, logUrl }: Target,
    environment: Environment,
    which: { except?: number; states: ReadonlySet<string> | "all" },
  ): Promise<void> {
    let seen = 0;
    const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, {
      owner,
      repo,
      environment: environment.name,
      per_page: 100,
      request: { signal },
    });
    for await (const { data } of pages) {
      for (const deployment of data) {
        if (deployment.id === which.except) continue;
        let latest = known.get(deployment.id);
        if (latest === "inactive" || (which.states !== "all" && latest && !which.states.has(latest))) continue;
        if (latest === undefined) {
          const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({
            owner,
            repo,
            deployment_id: deployment.id,
            per_page: 1,
            request: { signal },
          });
          latest = statuses[0]?.state ?? "none";
        }
        if (latest !== "inactive" && (which.states === "all" || which.states.has(latest))) {
          await octokit.rest.repos.createDeploymentStatus({
            owner,
            repo,
            deployment_id: deployment.id,
            state: "inactive",
            description: `${environment.name}: replaced or destroyed`,
            ...(logUrl ? { log_url: logUrl } : {}),
            request: { signal },
          });
          latest = "inactive";
        }
        known.set(deployment.id, latest);
      }
      seen += data.length;
      if (seen >= MAX_DEPLOYMENTS_SWEPT) break;
    }
  }

  async function updateComment(target: Target, notice: EnvironmentNotice): Promise<void> {
    const { environment } = notice;
    if (environment.pullRequest === undefined) return; // a branch without a PR: deployments only
    const { octokit, owner, repo, signal, logUrl } = target;
    const body = renderEnvironmentComment({ notice, updatedAt: now(), webUrl: client.webUrl, logUrl });
    const id = comments.get(environment.id) ?? (await findComment(target, environment));
    if (id !== undefined) {
      try {
        await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body, request: { signal } });
        comments.set(environment.id, id);
        return;
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        comments.delete(environment.id); // someone deleted it: write a new one
      }
    }
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: environment.pullRequest,
      body,
      request: { signal },
    });
    comments.set(environment.id, data.id);
  }

  async function findComment(
    { octokit, owner, repo, signal }: Target,
    environment: Environment,
  ): Promise<number | undefined> {
    const marker = environmentCommentMarker(environment.id);
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: environment.pullRequest ?? 0,
      per_page: 100,
      request: { signal },
    });
    for await (const { data } of pages) {
      const found = data.find((comment) => comment.body?.startsWith(marker));
      if (found) return found.id;
    }
    return undefined;
  }

  return {
    notify(notice) {
      const { environment } = notice;
      const noticeLog = log.child({ environment: environment.id, phase: notice.phase, jobId: notice.jobId });
      return chain.run(environment.id, () =>
        deliver(notice, noticeLog).catch((err: unknown) =>
          noticeLog.error({ err: describe(err) }, "GitHub not told about the environment"),
        ),
      );
    },
  };
}

type DeploymentState = "in_progress" | "success" | "failure" | "inactive";

interface Target {
  octokit: GitHubOctokit;
  owner: string;
  repo: string;
  signal: AbortSignal;
  logUrl?: string;
}

/** What is worth logging of an Octokit error: not its request (headers) nor its whole response. */
function describe(err: unknown): Record<string, unknown> {
  const e = err as { name?: string; message?: string; status?: number; response?: { headers?: object } };
  const headers = (e.response?.headers ?? {}) as Record<string, string | undefined>;
  return {
    type: e.name,
    message: e.message,
    status: e.status,
    githubRequestId: headers["x-github-request-id"],
  };
}

function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const { protocol, href } = new URL(value);
    return protocol === "http:" || protocol === "https:" ? href : undefined;
  } catch {
    return undefined;
  }
}
