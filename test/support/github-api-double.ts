import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { type OAuthClientOptions, registerOAuthDouble } from "./github-oauth-double.ts";

/** One request as the double saw it, for assertions. */
export interface RecordedRequest {
  /** `api` (REST) or `codeload` (where tarball downloads are redirected). */
  server: "api" | "codeload";
  method: string;
  /** The path without the query string, percent-decoding left as sent. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** `token`, `jwt` (a GitHub App's own token) or `none`. */
  auth: "token" | "jwt" | "none";
  /** `If-None-Match`, when sent: a conditional request. */
  ifNoneMatch?: string;
  /** The answer's status, once sent. */
  status?: number;
}

export interface IssueComment {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
  author_association: string;
}

export interface DeploymentStatus {
  id: number;
  url: string;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  created_at: string;
  updated_at: string;
  deployment_url: string;
  repository_url: string;
  creator: { login: string; id: number; type: string };
}

export interface Deployment {
  id: number;
  node_id: string;
  url: string;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  original_environment: string;
  environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  creator: { login: string; id: number; type: string };
  /** Not in GitHub's JSON: what the double was asked, to assert on. */
  request: { auto_merge?: boolean; required_contexts?: string[] };
  /** Not in GitHub's JSON: this deployment's statuses, oldest first. */
  statuses: DeploymentStatus[];
}

/** Answers the next matching request(s) with a failure instead of the real answer. */
export interface Fault {
  method?: string;
  /** The exact path, or a pattern for it. */
  path: string | RegExp;
  /** Only requests whose query has these values (e.g. `{ page: "2" }`). */
  query?: Record<string, string>;
  /**
   * `server-error`: 500. `rate-limit`: 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`
   * (now + resetInSeconds). `secondary-rate-limit`: 429 with `retry-after`. `network`: the connection
   * is dropped without an answer.
   */
  kind: "server-error" | "rate-limit" | "secondary-rate-limit" | "network";
  /** @default 1 */
  times?: number;
  /** For `rate-limit`. @default 0 */
  resetInSeconds?: number;
  /** For `secondary-rate-limit`. @default 1 */
  retryAfterSeconds?: number;
}

export interface GitHubApiDoubleOptions {
  /** Tokens accepted as `Authorization: token ...` (a PAT or `GITHUB_TOKEN`). */
  tokens?: string[];
  /** A GitHub App whose JWTs (RS256, signed with the matching private key) are accepted. */
  app?: { id: number; publicKey: string };
  /** The OAuth client people sign in through (github-oauth-double.ts). @default a test client */
  oauthClient?: OAuthClientOptions;
}

interface Repository {
  owner: string;
  name: string;
  installationId?: number;
  branches: Map<string, string>;
  /** sha -> its tarball (`git archive --format=tar.gz --prefix=<owner>-<repo>-<sha7>/`). */
  commits: Map<string, Buffer | undefined>;
  issues: Map<number, IssueComment[]>;
  deployments: Deployment[];
  /** login (lower-case) -> `admin` | `maintain` | `write` | `triage` | `read`; others are `none`. */
  permissions: Map<string, string>;
  /** Pull requests with a head (addPullRequest with `head`), listed by `GET .../pulls`. */
  pulls: Map<number, PullRequest>;
  /** The repository webhooks' deliveries, by hook id. */
  hooks: Map<number, HookDelivery[]>;
}

/** A pull request as `GET /repos/{owner}/{repo}/pulls` lists it (the fields stackfork reads, and a few). */
export interface PullRequest {
  number: number;
  state: "open" | "closed";
  title: string;
  draft: boolean;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string };
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
}

/** One attempt of a webhook delivery, as `GET /app/hook/deliveries` lists it. */
export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at: string | null;
}

/** Where a delivery was made: the GitHub App's hook, or a repository webhook. */
export type HookRef = "app" | { repository: string; hookId: number };

const DOCS = "https://docs.github.com/rest";
const BOT = { login: "stackfork[bot]", id: 41898282, type: "Bot" };

/**
 * A stand-in for GitHub's REST API, on 127.0.0.1 with a free port, speaking its wire format for what
 * stackfork uses: installations and installation tokens (GitHub App JWTs checked with the public
 * key), issue comments with `Link` pagination, deployments and their statuses, branches, commits,
 * and tarballs answered with a 302 to a second server (as api.github.com redirects to codeload).
 * Branches and open pull requests are listed with `Link` pagination and weak ETags (`If-None-Match`
 * -> 304, which does not count against the rate limit); every answer carries `x-ratelimit-*`, the
 * primary limit can be set and a 403 secondary limit switched on; the App hook's and repository
 * webhooks' deliveries are listed with `cursor` pagination and redelivered on request. Its state
 * changes without a webhook (a branch deleted or pushed, a pull request closed), as while
 * stackfork was away. Every request is recorded; faults (5xx, primary and secondary rate limits,
 * dropped connections) can be queued. People sign in through it too, as on github.com
 * (github-oauth-double.ts: the web and device flows, `GET /user`, team memberships). Not modelled: `auto_inactive` (GitHub applies it only to non-transient
 * environments, and stackfork's are transient), permissions, GraphQL.
 *
 * Shapes follow https://docs.github.com/en/rest (API version 2022-11-28).
 */
export async function startGitHubApiDouble(options: GitHubApiDoubleOptions = {}) {
  const requests: RecordedRequest[] = [];
  const rate = { limit: 5000, used: 0, resetAt: Math.floor(Date.now() / 1000) + 3600 };
  let secondaryLimit: { retryAfterSeconds?: number } | undefined;
  const appDeliveries: HookDelivery[] = [];
  const redeliveryRequests: { hook: HookRef; deliveryId: number; guid: string }[] = [];
  const faults: (Fault & { left: number })[] = [];
  const repositories = new Map<string, Repository>();
  const tokens = new Map<string, number | "user">((options.tokens ?? []).map((t) => [t, "user"]));
  const downloads = new Map<string, Buffer>();
  let nextId = 1000;
  const api = Fastify();
  const codeload = Fastify();
  // Fastify takes routes and hooks only before it listens, but the answers need the addresses:
  // they are filled in once listening, before any request can arrive.
  let baseUrl = "";
  let codeloadUrl = "";

  const now = () => new Date().toISOString();
  const repoOf = (request: FastifyRequest) => {
    const { owner, repo } = request.params as { owner: string; repo: string };
    return repositories.get(`${owner}/${repo}`.toLowerCase());
  };

  const records = new WeakMap<object, RecordedRequest>();
  for (const server of [api, codeload]) {
    server.addHook("onRequest", async (request, reply) => {
      const [path = "", search = ""] = request.url.split("?");
      const header = request.headers.authorization ?? "";
      const credential = header.replace(/^(token|bearer)\s+/i, "");
      const record: RecordedRequest = {
        server: server === api ? "api" : "codeload",
        method: request.method,
        path,
        query: Object.fromEntries(new URLSearchParams(search)),
        body: undefined,
        auth: header === "" ? "none" : credential.split(".").length === 3 ? "jwt" : "token",
        ...(typeof request.headers["if-none-match"] === "string"
          ? { ifNoneMatch: request.headers["if-none-match"] }
          : {}),
      };
      requests.push(record);
      records.set(request.raw, record);
      reply.header("x-github-request-id", randomBytes(8).toString("hex").toUpperCase());
      if (server === api && secondaryLimit) return sendFault({ kind: "secondary-403", ...secondaryLimit, path }, reply);
      if (server === api && rate.used >= rate.limit)
        return sendFault(
          { kind: "rate-limit", path, resetInSeconds: rate.resetAt - Math.floor(Date.now() / 1000) },
          reply,
        );
      const fault = faults.find(
        (f) =>
          f.left > 0 &&
          (f.method === undefined || f.method === request.method) &&
          (typeof f.path === "string" ? f.path === path : f.path.test(path)) &&
          Object.entries(f.query ?? {}).every(([k, v]) => record.query[k] === v),
      );
      if (!fault) return;
      fault.left -= 1;
      return sendFault(fault, reply);
    });
    server.addHook("preHandler", async (request) => {
      const record = records.get(request.raw);
      if (record) record.body = request.body;
    });
  }
  // Every REST answer says where the rate limit stands; a 304 to an authorized conditional request
  // does not count against it.
  // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
  api.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode !== 304 && reply.statusCode < 400) rate.used += 1;
    if (reply.getHeader("x-ratelimit-remaining") === undefined)
      reply.headers({
        "x-ratelimit-limit": String(rate.limit),
        "x-ratelimit-remaining": String(Math.max(0, rate.limit - rate.used)),
        "x-ratelimit-used": String(rate.used),
        "x-ratelimit-reset": String(rate.resetAt),
        "x-ratelimit-resource": "core",
      });
    const record = records.get(request.raw);
    if (record) record.status = reply.statusCode;
    return payload;
  });

  /** GitHub answers 404 (not 403) for what a token may not see. */
  const authorize = (request: FastifyRequest, reply: FastifyReply, need: "token" | "jwt", repo?: Repository) => {
    const header = request.headers.authorization ?? "";
    const credential = header.replace(/^(token|bearer)\s+/i, "");
    if (header === "") {
      void reply.code(401).send({ message: "Requires authentication", documentation_url: DOCS });
      return false;
    }
    if (need === "jwt") {
      if (!options.app || !verifyAppJwt(credential, options.app)) {
        void reply.code(401).send({
          message: "A JSON web token could not be decoded",
          documentation_url: DOCS,
        });
        return false;
      }
      return true;
    }
    const holder = tokens.get(credential);
    if (holder === undefined) {
      void reply.code(401).send({ message: "Bad credentials", documentation_url: DOCS });
      return false;
    }
    if (repo && holder !== "user" && repo.installationId !== holder) {
      void reply.code(404).send({ message: "Not Found", documentation_url: DOCS });
      return false;
    }
    return true;
  };
  const notFound = (reply: FastifyReply, message = "Not Found") =>
    reply.code(404).send({ message, documentation_url: DOCS });

  /**
   * Answers a page of `items` with GitHub's `Link` header (`per_page` default 30, at most 100); with
   * `etag`, a weak ETag of the page, and 304 when `If-None-Match` names it.
   */
  const sendPage = <T>(request: FastifyRequest, reply: FastifyReply, items: T[], options: { etag?: boolean } = {}) => {
    const query = request.query as Record<string, string>;
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30)));
    const page = Math.max(1, Number(query.page ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const url = new URL(request.url, baseUrl);
      url.searchParams.set("per_page", String(perPage));
      url.searchParams.set("page", String(n));
      return `<${url.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, "prev"));
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    if (page > 1) links.push(link(1, "first"));
    if (links.length > 0) reply.header("link", links.join(", "));
    const body = items.slice((page - 1) * perPage, page * perPage);
    if (options.etag) {
      const etag = `W/"${createHash("sha256").update(JSON.stringify(body)).update(links.join()).digest("hex").slice(0, 32)}"`;
      reply.header("etag", etag);
      if (request.headers["if-none-match"] === etag) return reply.code(304).send();
    }
    return reply.send(body);
  };

  // --- GitHub Apps: https://docs.github.com/en/rest/apps/apps
  api.get("/repos/:owner/:repo/installation", async (request, reply) => {
    if (!authorize(request, reply, "jwt")) return reply;
    const repo = repoOf(request);
    if (!repo?.installationId) return notFound(reply, "Integration not found");
    return {
      id: repo.installationId,
      account: { login: repo.owner, id: 1, type: "Organization" },
      app_id: options.app?.id,
      target_type: "Organization",
      repository_selection: "selected",
      permissions: { contents: "read", deployments: "write", issues: "write", pull_requests: "write" },
      events: [],
      created_at: now(),
      updated_at: now(),
    };
  });
  api.post("/app/installations/:id/access_tokens", async (request, reply) => {
    if (!authorize(request, reply, "jwt")) return reply;
    const id = Number((request.params as { id: string }).id);
    if (![...repositories.values()].some((r) => r.installationId === id)) return notFound(reply);
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    tokens.set(token, id);
    return reply.code(201).send({
      token,
      expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      permissions: { contents: "read", deployments: "write", issues: "write", pull_requests: "write" },
      repository_selection: "selected",
    });
  });

  // --- Reactions: https://docs.github.com/en/rest/reactions/reactions#create-reaction-for-an-issue-comment
  api.post("/repos/:owner/:repo/issues/comments/:id/reactions", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const id = Number((request.params as { id: string }).id);
    const exists = [...repo.issues.values()].some((comments) => comments.some((c) => c.id === id));
    if (!exists) return notFound(reply);
    const { content } = (request.body ?? {}) as { content?: string };
    const allowed = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"];
    if (!content || !allowed.includes(content)) {
      return reply.code(422).send({ message: "Validation Failed", documentation_url: DOCS });
    }
    return reply
      .code(201)
      .send({ id: Math.floor(Math.random() * 1e9), node_id: "R", user: BOT, content, created_at: now() });
  });

  // --- Collaborators: https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
  api.get("/repos/:owner/:repo/collaborators/:username/permission", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const login = (request.params as { username: string }).username;
    const role = repo.permissions.get(login.toLowerCase()) ?? "none";
    // The legacy `permission` field folds maintain into write and triage into read.
    const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
    return { permission, role_name: role, user: { login, id: 1, type: "User" } };
  });

  // --- Branches and commits: https://docs.github.com/en/rest/branches, /rest/commits
  // Listed in name order, as GitHub does.
  api.get("/repos/:owner/:repo/branches", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const branches = [...repo.branches.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, sha]) => ({
        name,
        commit: { sha, url: `${baseUrl}/repos/${repo.owner}/${repo.name}/commits/${sha}` },
        protected: false,
      }));
    return sendPage(request, reply, branches, { etag: true });
  });

  // --- Pull requests: https://docs.github.com/en/rest/pulls/pulls#list-pull-requests (newest first)
  api.get("/repos/:owner/:repo/pulls", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const state = (request.query as { state?: string }).state ?? "open";
    const pulls = [...repo.pulls.values()]
      .filter((pr) => state === "all" || pr.state === state)
      .sort((a, b) => b.number - a.number)
      .map((pr) => ({
        ...pr,
        url: `${baseUrl}/repos/${repo.owner}/${repo.name}/pulls/${pr.number}`,
        html_url: `${baseUrl}/${repo.owner}/${repo.name}/pull/${pr.number}`,
      }));
    return sendPage(request, reply, pulls, { etag: true });
  });

  // --- Webhook deliveries: https://docs.github.com/en/rest/apps/webhooks, /rest/repos/webhooks
  // Newest first; `cursor` pagination through `Link` (no `page`).
  const sendDeliveries = (request: FastifyRequest, reply: FastifyReply, deliveries: HookDelivery[]) => {
    const query = request.query as Record<string, string>;
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30)));
    const sorted = [...deliveries].sort((a, b) => b.delivered_at.localeCompare(a.delivered_at) || b.id - a.id);
    const start = query.cursor ? sorted.findIndex((d) => `v1_${d.id}` === query.cursor) : 0;
    if (start < 0) return reply.code(422).send({ message: "Invalid cursor", documentation_url: DOCS });
    const page = sorted.slice(start, start + perPage);
    const next = sorted[start + perPage];
    if (next) {
      const url = new URL(request.url, baseUrl);
      url.searchParams.set("per_page", String(perPage));
      url.searchParams.set("cursor", `v1_${next.id}`);
      reply.header("link", `<${url.href}>; rel="next"`);
    }
    return reply.send(page);
  };
  const redeliver = (hook: HookRef, deliveries: HookDelivery[], request: FastifyRequest, reply: FastifyReply) => {
    const id = Number((request.params as { id: string }).id);
    const original = deliveries.find((d) => d.id === id);
    if (!original) return notFound(reply);
    redeliveryRequests.push({ hook, deliveryId: id, guid: original.guid });
    // GitHub sends it again; the double records a new attempt, answered by no one yet.
    deliveries.push({
      ...original,
      id: nextId++,
      redelivery: true,
      delivered_at: now(),
      status: "Redelivery requested",
      status_code: 0,
    });
    return reply.code(202).send({});
  };
  api.get("/app/hook/deliveries", async (request, reply) => {
    if (!authorize(request, reply, "jwt")) return reply;
    return sendDeliveries(request, reply, appDeliveries);
  });
  api.post("/app/hook/deliveries/:id/attempts", async (request, reply) => {
    if (!authorize(request, reply, "jwt")) return reply;
    return redeliver("app", appDeliveries, request, reply);
  });
  api.get("/repos/:owner/:repo/hooks/:hookId/deliveries", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const deliveries = repo?.hooks.get(Number((request.params as { hookId: string }).hookId));
    if (!deliveries) return notFound(reply);
    return sendDeliveries(request, reply, deliveries);
  });
  api.post("/repos/:owner/:repo/hooks/:hookId/deliveries/:id/attempts", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const hookId = Number((request.params as { hookId: string }).hookId);
    const deliveries = repo?.hooks.get(hookId);
    if (!repo || !deliveries) return notFound(reply);
    return redeliver({ repository: `${repo.owner}/${repo.name}`, hookId }, deliveries, request, reply);
  });

  api.get("/repos/:owner/:repo/branches/*", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const branch = decodeURIComponent((request.params as { "*": string })["*"]);
    const sha = repo.branches.get(branch);
    if (!sha) return notFound(reply, "Branch not found");
    return {
      name: branch,
      commit: { sha, url: `${baseUrl}/repos/${repo.owner}/${repo.name}/commits/${sha}` },
      protected: false,
    };
  });
  api.get("/repos/:owner/:repo/commits/*", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const ref = decodeURIComponent((request.params as { "*": string })["*"]);
    const sha = resolveRef(repo, ref);
    if (!sha) return reply.code(422).send({ message: `No commit found for SHA: ${ref}`, documentation_url: DOCS });
    return { sha, url: `${baseUrl}/repos/${repo.owner}/${repo.name}/commits/${sha}`, commit: { message: "" } };
  });

  // --- Tarballs: https://docs.github.com/en/rest/repos/contents#download-a-repository-archive-tar
  api.get("/repos/:owner/:repo/tarball/*", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const ref = decodeURIComponent((request.params as { "*": string })["*"]);
    const sha = resolveRef(repo, ref);
    const tarball = sha ? repo.commits.get(sha) : undefined;
    if (!sha || !tarball) return notFound(reply);
    // codeload authorizes with a short-lived token in the query, not the Authorization header
    // (which fetch drops on a cross-origin redirect).
    const token = randomBytes(12).toString("hex");
    downloads.set(token, tarball);
    return reply.redirect(`${codeloadUrl}/${repo.owner}/${repo.name}/legacy.tar.gz/${sha}?token=${token}`, 302);
  });
  codeload.get("/:owner/:repo/legacy.tar.gz/:sha", async (request, reply) => {
    const { owner, repo, sha } = request.params as { owner: string; repo: string; sha: string };
    const tarball = downloads.get((request.query as { token?: string }).token ?? "");
    if (!tarball) return reply.code(404).type("text/plain").send("404: Not Found");
    return reply
      .type("application/x-gzip")
      .header("content-disposition", `attachment; filename=${owner}-${repo}-${sha.slice(0, 7)}.tar.gz`)
      .send(tarball);
  });

  // --- Issue comments: https://docs.github.com/en/rest/issues/comments
  api.get("/repos/:owner/:repo/issues/:number/comments", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const comments = repo?.issues.get(Number((request.params as { number: string }).number));
    if (!comments) return notFound(reply);
    return sendPage(request, reply, comments);
  });
  api.post("/repos/:owner/:repo/issues/:number/comments", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const number = Number((request.params as { number: string }).number);
    const comments = repo?.issues.get(number);
    if (!repo || !comments) return notFound(reply);
    const body = (request.body as { body?: unknown } | undefined)?.body;
    if (typeof body !== "string" || body === "") return invalid(reply, "body");
    if (body.length > 65536) return invalid(reply, "body is too long (maximum is 65536 characters)");
    const comment = makeComment(repo, number, body);
    comments.push(comment);
    return reply.code(201).send(comment);
  });
  api.patch("/repos/:owner/:repo/issues/comments/:id", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const id = Number((request.params as { id: string }).id);
    const comment = repo && [...repo.issues.values()].flat().find((c) => c.id === id);
    if (!comment) return notFound(reply);
    const body = (request.body as { body?: unknown } | undefined)?.body;
    if (typeof body !== "string" || body === "") return invalid(reply, "body");
    if (body.length > 65536) return invalid(reply, "body is too long (maximum is 65536 characters)");
    comment.body = body;
    comment.updated_at = now();
    return comment;
  });

  // --- Deployments: https://docs.github.com/en/rest/deployments/deployments, /statuses
  api.get("/repos/:owner/:repo/deployments", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const q = request.query as Record<string, string | undefined>;
    const found = repo.deployments
      .filter(
        (d) =>
          (q.sha === undefined || d.sha === q.sha) &&
          (q.ref === undefined || d.ref === q.ref) &&
          (q.task === undefined || d.task === q.task) &&
          (q.environment === undefined || d.environment === q.environment),
      )
      .reverse(); // newest first
    return sendPage(request, reply, found.map(publicDeployment));
  });
  api.post("/repos/:owner/:repo/deployments", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    if (!repo) return notFound(reply);
    const input = (request.body ?? {}) as Record<string, unknown>;
    if (typeof input.ref !== "string") return invalid(reply, "ref");
    const sha = resolveRef(repo, input.ref);
    if (!sha) return reply.code(422).send({ message: `No ref found for: ${input.ref}`, documentation_url: DOCS });
    if (input.auto_merge !== false || !Array.isArray(input.required_contexts)) {
      // Without these GitHub may merge the default branch in (202) or wait for commit statuses (409).
      return reply
        .code(409)
        .send({ message: "Conflict: commit status checks failed for main.", documentation_url: DOCS });
    }
    const environment = typeof input.environment === "string" ? input.environment : "production";
    const id = nextId++;
    const url = `${baseUrl}/repos/${repo.owner}/${repo.name}/deployments/${id}`;
    const deployment: Deployment = {
      id,
      node_id: `DE_${id}`,
      url,
      sha,
      ref: input.ref,
      task: typeof input.task === "string" ? input.task : "deploy",
      payload: input.payload ?? {},
      original_environment: environment,
      environment,
      description: typeof input.description === "string" ? input.description : null,
      transient_environment: input.transient_environment === true,
      production_environment:
        typeof input.production_environment === "boolean" ? input.production_environment : environment === "production",
      created_at: now(),
      updated_at: now(),
      statuses_url: `${url}/statuses`,
      repository_url: `${baseUrl}/repos/${repo.owner}/${repo.name}`,
      creator: BOT,
      request: { auto_merge: input.auto_merge as boolean, required_contexts: input.required_contexts as string[] },
      statuses: [],
    };
    repo.deployments.push(deployment);
    return reply.code(201).send(publicDeployment(deployment));
  });
  api.get("/repos/:owner/:repo/deployments/:id/statuses", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const id = Number((request.params as { id: string }).id);
    const deployment = repo?.deployments.find((d) => d.id === id);
    if (!deployment) return notFound(reply);
    return sendPage(request, reply, [...deployment.statuses].reverse());
  });
  api.post("/repos/:owner/:repo/deployments/:id/statuses", async (request, reply) => {
    const repo = repoOf(request);
    if (!authorize(request, reply, "token", repo)) return reply;
    const id = Number((request.params as { id: string }).id);
    const deployment = repo?.deployments.find((d) => d.id === id);
    if (!repo || !deployment) return notFound(reply);
    const input = (request.body ?? {}) as Record<string, unknown>;
    const states = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];
    if (typeof input.state !== "string" || !states.includes(input.state)) return invalid(reply, "state");
    for (const field of ["environment_url", "log_url", "target_url"]) {
      const value = input[field];
      if (value !== undefined && (typeof value !== "string" || !/^https?:\/\//.test(value))) {
        return invalid(reply, `${field} is not a valid URL`);
      }
    }
    if (typeof input.description === "string" && input.description.length > 140) {
      return invalid(reply, "description is too long (maximum is 140 characters)");
    }
    const statusId = nextId++;
    const status: DeploymentStatus = {
      id: statusId,
      url: `${deployment.url}/statuses/${statusId}`,
      state: input.state,
      description: typeof input.description === "string" ? input.description : "",
      environment: typeof input.environment === "string" ? input.environment : deployment.environment,
      environment_url: typeof input.environment_url === "string" ? input.environment_url : "",
      log_url: typeof input.log_url === "string" ? input.log_url : "",
      target_url: typeof input.log_url === "string" ? input.log_url : "",
      created_at: now(),
      updated_at: now(),
      deployment_url: deployment.url,
      repository_url: deployment.repository_url,
      creator: BOT,
    };
    deployment.statuses.push(status);
    return reply.code(201).send(status);
  });

  const oauth = registerOAuthDouble(api, {
    client: options.oauthClient ?? { clientId: "Iv1.0123456789abcdef", clientSecret: "test-client-secret" },
    webUrl: () => baseUrl,
    authorize,
  });

  api.setNotFoundHandler((_request, reply) => notFound(reply));
  await api.listen({ port: 0, host: "127.0.0.1" });
  await codeload.listen({ port: 0, host: "127.0.0.1" });
  baseUrl = addressOf(api);
  codeloadUrl = addressOf(codeload);

  function resolveRef(repo: Repository, ref: string): string | undefined {
    const branch = repo.branches.get(ref.replace(/^refs\/heads\//, ""));
    if (branch) return branch;
    if (/^[0-9a-f]{40}$/.test(ref)) return repo.commits.has(ref) ? ref : undefined;
    if (/^[0-9a-f]{4,39}$/.test(ref)) {
      const matches = [...repo.commits.keys()].filter((sha) => sha.startsWith(ref));
      return matches.length === 1 ? matches[0] : undefined;
    }
    return undefined;
  }

  function makeComment(repo: Repository, number: number, body: string, user = BOT): IssueComment {
    const id = nextId++;
    return {
      id,
      node_id: `IC_${id}`,
      url: `${baseUrl}/repos/${repo.owner}/${repo.name}/issues/comments/${id}`,
      html_url: `${baseUrl}/${repo.owner}/${repo.name}/pull/${number}#issuecomment-${id}`,
      issue_url: `${baseUrl}/repos/${repo.owner}/${repo.name}/issues/${number}`,
      body,
      user,
      created_at: now(),
      updated_at: now(),
      author_association: user === BOT ? "NONE" : "MEMBER",
    };
  }

  function deliveriesOf(hook: HookRef): HookDelivery[] {
    if (hook === "app") return appDeliveries;
    const repo = repository(hook.repository);
    let list = repo.hooks.get(hook.hookId);
    if (!list) {
      list = [];
      repo.hooks.set(hook.hookId, list);
    }
    return list;
  }

  function repository(fullName: string): Repository {
    const repo = repositories.get(fullName.toLowerCase());
    if (!repo) throw new Error(`the double has no repository ${fullName}: addRepository first`);
    return repo;
  }

  return {
    /** Octokit's `baseUrl`. */
    baseUrl,
    codeloadUrl,
    requests,
    /** Where the browser and the device flow go (github.com's role): the same server. */
    webUrl: baseUrl,
    ...oauth,
    /** A repository; with `installationId`, one the GitHub App is installed on. */
    addRepository(fullName: string, seed: { installationId?: number } = {}) {
      const [owner = "", name = ""] = fullName.split("/");
      repositories.set(fullName.toLowerCase(), {
        owner,
        name,
        installationId: seed.installationId,
        branches: new Map(),
        commits: new Map(),
        issues: new Map(),
        deployments: [],
        permissions: new Map(),
        pulls: new Map(),
        hooks: new Map(),
      });
    },
    /** A collaborator's role on the repository. */
    setPermission(fullName: string, login: string, role: string) {
      repository(fullName).permissions.set(login.toLowerCase(), role);
    },
    /** A commit, and the tarball GitHub would serve for it (omit it for commits never downloaded). */
    addCommit(fullName: string, sha: string, tarball?: Buffer) {
      repository(fullName).commits.set(sha, tarball);
    },
    setBranch(fullName: string, branch: string, sha: string) {
      const repo = repository(fullName);
      if (!repo.commits.has(sha)) repo.commits.set(sha, undefined);
      repo.branches.set(branch, sha);
    },
    /**
     * A pull request (its comments); with `head`, one that `GET .../pulls` lists: from a branch of
     * the repository, or, with `fork`, from that fork's branch.
     */
    addPullRequest(fullName: string, number: number, pr: { head?: string; sha?: string; fork?: string } = {}) {
      const repo = repository(fullName);
      if (!repo.issues.has(number)) repo.issues.set(number, []);
      if (pr.head === undefined) return;
      const sha = pr.sha ?? repo.branches.get(pr.head);
      if (!sha) throw new Error(`no head commit for #${number}: give sha, or setBranch ${pr.head} first`);
      repo.pulls.set(number, {
        number,
        state: "open",
        title: `Pull request ${number}`,
        draft: false,
        head: { ref: pr.head, sha, repo: { full_name: pr.fork ?? `${repo.owner}/${repo.name}` } },
        base: { ref: "main" },
        user: { login: "octocat", id: 1, type: "User" },
        created_at: now(),
        updated_at: now(),
      });
    },
    /** Closes a pull request on GitHub's side, with no webhook (a delivery stackfork missed). */
    closePullRequest(fullName: string, number: number) {
      const pr = repository(fullName).pulls.get(number);
      if (!pr) throw new Error(`no pull request #${number} with a head`);
      pr.state = "closed";
      pr.updated_at = now();
    },
    /** A push to a pull request's head (a fork's, say): its head SHA moves. */
    setPullRequestHead(fullName: string, number: number, sha: string) {
      const pr = repository(fullName).pulls.get(number);
      if (!pr) throw new Error(`no pull request #${number} with a head`);
      pr.head.sha = sha;
      pr.updated_at = now();
    },
    /** Deletes a branch on GitHub's side, with no webhook. */
    deleteBranch(fullName: string, branch: string) {
      repository(fullName).branches.delete(branch);
    },
    /**
     * Records a delivery attempt of a hook (newest-first listing); returns its id. `statusCode` 0:
     * no answer (timed out, refused).
     */
    addDelivery(
      hook: HookRef,
      delivery: {
        guid: string;
        event: string;
        action?: string;
        statusCode: number;
        deliveredAt?: string;
        redelivery?: boolean;
      },
    ): number {
      const id = nextId++;
      const ok = delivery.statusCode >= 200 && delivery.statusCode < 300;
      const list = deliveriesOf(hook);
      list.push({
        id,
        guid: delivery.guid,
        delivered_at: delivery.deliveredAt ?? now(),
        redelivery: delivery.redelivery ?? false,
        duration: ok ? 0.05 : 10,
        status: ok ? "OK" : delivery.statusCode === 0 ? "timed out" : `Invalid HTTP Response: ${delivery.statusCode}`,
        status_code: delivery.statusCode,
        event: delivery.event,
        action: delivery.action ?? null,
        installation_id: hook === "app" ? 1 : null,
        repository_id: 1,
        throttled_at: null,
      });
      return id;
    },
    /** Redeliveries asked for (`POST .../deliveries/{id}/attempts`), in order. */
    redeliveries() {
      return [...redeliveryRequests];
    },
    /**
     * While on, every REST request is answered 403 with GitHub's secondary rate limit message and
     * `retry-after`. https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
     */
    setSecondaryRateLimit(on: boolean, retryAfterSeconds = 60) {
      secondaryLimit = on ? { retryAfterSeconds } : undefined;
    },
    /** The primary rate limit: `remaining` requests left in a window that resets in `resetInSeconds`. */
    setRateLimit(limit: { remaining: number; limit?: number; resetInSeconds?: number }) {
      rate.limit = limit.limit ?? rate.limit;
      rate.used = rate.limit - limit.remaining;
      rate.resetAt = Math.floor(Date.now() / 1000) + (limit.resetInSeconds ?? 3600);
    },
    /** A comment written by someone else (or by stackfork in an earlier life). */
    addComment(fullName: string, number: number, body: string, user = { login: "octocat", id: 1, type: "User" }) {
      const repo = repository(fullName);
      const comments = repo.issues.get(number);
      if (!comments) throw new Error(`no pull request #${number}: addPullRequest first`);
      const comment = makeComment(repo, number, body, user);
      comments.push(comment);
      return comment;
    },
    comments(fullName: string, number: number): IssueComment[] {
      return repository(fullName).issues.get(number) ?? [];
    },
    deployments(fullName: string): Deployment[] {
      return repository(fullName).deployments;
    },
    /** Queues a failure for the next matching request(s). */
    fail(fault: Fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    /** Recorded requests of one method and path (exact, or matching a pattern). */
    requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
      return requests.filter(
        (r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)),
      );
    },
    async close() {
      await Promise.all([api.close(), codeload.close()]);
    },
  };
}

export type GitHubApiDouble = Awaited<ReturnType<typeof startGitHubApiDouble>>;

function publicDeployment(deployment: Deployment) {
  const { request: _request, statuses: _statuses, ...json } = deployment;
  return json;
}

function invalid(reply: FastifyReply, what: string) {
  return reply.code(422).send({
    message: "Validation Failed",
    errors: [{ resource: "Request", code: "invalid", message: what }],
    documentation_url: DOCS,
  });
}

function sendFault(
  fault: Fault | { kind: "secondary-403"; path: string; retryAfterSeconds?: number },
  reply: FastifyReply,
) {
  switch (fault.kind) {
    case "secondary-403":
      return reply
        .code(403)
        .header("retry-after", String(fault.retryAfterSeconds ?? 60))
        .send({
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        });
    case "server-error":
      return reply.code(500).send({ message: "Server Error" });
    case "rate-limit": {
      // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
      const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 0);
      return reply
        .code(403)
        .headers({
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-used": "5000",
          "x-ratelimit-reset": String(reset),
          "x-ratelimit-resource": "core",
        })
        .send({
          message: "API rate limit exceeded for installation ID 1.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        });
    }
    case "secondary-rate-limit":
      return reply
        .code(429)
        .header("retry-after", String(fault.retryAfterSeconds ?? 1))
        .send({
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        });
    case "network":
      reply.hijack();
      reply.raw.socket?.destroy();
      return reply;
  }
}

/** An App's JWT: RS256 over `header.payload`, `iss` the app id, not expired. https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app */
function verifyAppJwt(jwt: string, app: { id: number; publicKey: string }): boolean {
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  try {
    const ok = verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      createPublicKey(app.publicKey),
      Buffer.from(signature, "base64url"),
    );
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss?: unknown; exp?: number };
    return ok && String(claims.iss) === String(app.id) && (claims.exp ?? 0) > Date.now() / 1000;
  } catch {
    return false;
  }
}

function addressOf(server: FastifyInstance): string {
  const address = server.server.address();
  if (typeof address !== "object" || !address) throw new Error("not listening");
  return `http://127.0.0.1:${address.port}`;
}
