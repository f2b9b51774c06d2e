import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { countVisibleEnvironments } from "../access/count-visible-environments.ts";
import { listVisibleEnvironments } from "../access/list-visible-environments.ts";
import type { EnvironmentKind, EnvironmentStatus } from "../core/environment.ts";
import { isStackforkError, StackforkError } from "../core/errors.ts";
import type { ShareLinks } from "../preview-router/create-share-links.ts";
import type { GitHubReconciler } from "../reconciliation/create-github-reconciler.ts";
import type { Registry } from "../registry/registry.ts";
import { html, type SafeHtml } from "../web/html.ts";
import { environmentKinds, environmentStatuses } from "./api-schemas.ts";
import { authorizeEnvironment } from "./authorize-environment.ts";
import { authorizeSandboxRequest } from "./authorize-sandbox-request.ts";
import { type CostSort, costSorts } from "./cost-sort.ts";
import type { Auth, Session } from "./create-auth.ts";
import { createCopyConfigActions } from "./create-copy-config-actions.ts";
import { createCostOverview } from "./create-cost-overview.ts";
import type { EnvironmentActions } from "./create-environment-actions.ts";
import type { RequestAccess } from "./create-request-access.ts";
import { dashboardScript } from "./dashboard-script.ts";
import { dashboardStylesheet } from "./dashboard-stylesheet.ts";
import { describeErrorForUser } from "./describe-error-for-user.ts";
import { findVisibleEnvironment } from "./find-visible-environment.ts";
import { field } from "./page-helpers.ts";
import { registerCostPages } from "./register-cost-pages.ts";
import { registerEnvironmentFormPages } from "./register-environment-form-pages.ts";
import { type GitHubSignInPageDeps, registerGitHubSignInPages } from "./register-github-sign-in-pages.ts";
import { registerLoginPages } from "./register-login-pages.ts";
import { registerSharePages } from "./register-share-pages.ts";
import { renderEnvironmentDetail } from "./render-environment-detail.ts";
import { type ListFilters, renderEnvironmentList } from "./render-environment-list.ts";
import { type PageChrome, renderPage } from "./render-page.ts";
import { renderSandboxForm } from "./render-sandbox-form.ts";

export interface PageDeps {
  registry: Registry;
  actions: EnvironmentActions;
  auth: Auth;
  access: RequestAccess;
  repositories: readonly { name: string; defaultBranch: string; cloudformation?: unknown }[];
  /** Shows each repository's last reconciliation with GitHub on the list; absent offline. */
  reconciler?: GitHubReconciler;
  /** Share links of previews (the Share button); absent where no preview router runs. */
  shareLinks?: ShareLinks;
  /** Sign-in with GitHub (issue 22); absent: off, the API token's login only. */
  signIn?: GitHubSignInPageDeps["signIn"];
  now: () => Date;
}

/** Rows per page of the list: enough to scan, small enough to render in milliseconds. */
const PAGE_SIZE = 50;
const NOTICES: Record<string, string> = {
  sandbox: "Sandbox requested: it deploys in turn, this page follows it.",
  redeploy: "Redeploy queued.",
  config: "Config value saved; redeploy queued.",
  reseed: "Reseed queued (with a redeploy).",
  destroy: "Destroy queued.",
  extend: "Expiry extended.",
  unchanged: "Nothing was queued: the environment is already there (see its history).",
  unshared: "Every share link of this environment issued so far is revoked.",
  login: "Logged in.",
  logout: "Logged out.",
};
const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/**
 * The server-rendered dashboard: readable without JavaScript, every value escaped by `html`.
 * Reading follows the same rule as the API; changing needs a login session and a CSRF token.
 */
export async function registerPageRoutes(app: FastifyInstance, deps: PageDeps): Promise<void> {
  const { registry, actions, auth, access } = deps;
  const copyConfig = createCopyConfigActions({ registry, actions, now: deps.now, repositories: deps.repositories });
  const costs = createCostOverview({ registry, now: deps.now });
  await app.register(async (pages) => {
    await pages.register(formbody, { bodyLimit: 16 * 1024 });
    pages.addHook("onSend", async (_request, reply, payload) => {
      reply.header("content-security-policy", CSP);
      reply.header("x-content-type-options", "nosniff");
      reply.header("referrer-policy", "same-origin");
      reply.header("x-frame-options", "DENY");
      if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
      return payload;
    });
    pages.setErrorHandler(async (err: Error, request, reply) => {
      const { status, code, message } = describeErrorForUser(err);
      if (status >= 500) request.log.error({ err }, "page failed");
      return sendPage(
        request,
        reply,
        status,
        { title: "Error" },
        html`<h1>Error</h1>
<p class="problem" role="alert"><code>${code}</code> ${message}</p><p><a href="/">Back to the environments</a></p>`,
      );
    });

    const asset = (body: string, type: string) => async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.header("content-type", type).header("cache-control", "public, max-age=300").send(body);
    pages.get("/assets/dashboard.css", asset(dashboardStylesheet, "text/css; charset=utf-8"));
    pages.get("/assets/dashboard.js", asset(dashboardScript, "text/javascript; charset=utf-8"));

    async function chromeOf(
      request: FastifyRequest,
      title: string,
      current?: PageChrome["current"],
    ): Promise<PageChrome> {
      const session = await access.session(request);
      return {
        title,
        current,
        loggedIn: session !== undefined,
        signedInAs: session?.login,
        csrfToken: session && auth.csrfToken(`session:${session.nonce}`),
      };
    }

    async function sendPage(
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      chrome: Partial<PageChrome> & { title: string },
      body: SafeHtml,
    ) {
      const page = renderPage({ ...(await chromeOf(request, chrome.title, chrome.current)), ...chrome }, body);
      return reply.code(status).type("text/html; charset=utf-8").send(page);
    }

    /** A page anyone may read here, or else the login form. */
    async function mayRead(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
      if (await access.canRead(request)) return true;
      void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return false;
    }

    /** A change: a session, and the CSRF token of that session's forms. Answers the session. */
    async function requireChange(request: FastifyRequest, environmentId?: string): Promise<Session> {
      const session = await access.session(request);
      if (!session) throw new StackforkError("UNAUTHORIZED", "log in first: changes need the API token");
      const token = (request.body as Record<string, unknown> | undefined)?._csrf;
      if (!auth.csrfValid(`session:${session.nonce}`, typeof token === "string" ? token : undefined)) {
        throw new StackforkError(
          "CSRF_INVALID",
          "this form is stale or was not sent by the dashboard: reload it and try again",
        );
      }
      if (environmentId !== undefined) await authorizeEnvironment(access, registry, request, environmentId, "write");
      return session;
    }

    pages.get("/", async (request, reply) => {
      if (!(await mayRead(request, reply))) return reply;
      const query = request.query as Record<string, string | undefined>;
      const filters: ListFilters = {
        status: pick(query.status, environmentStatuses) as EnvironmentStatus | undefined,
        kind: pick(query.kind, environmentKinds) as EnvironmentKind | undefined,
        repository: text(query.repository, 200),
        owner: text(query.owner, 100),
        q: text(query.q, 200),
      };
      const cursor = text(query.cursor, 500);
      const sort = pick(query.sort, costSorts) as CostSort | undefined;
      const sees = await access.visibility(request);
      const list = (c: string | undefined) =>
        sort
          ? costs
              .listByCost({ ...filters, search: filters.q }, sort, { cursor: c, limit: PAGE_SIZE })
              // The cost order is the platform's; a person's page keeps only what they may see.
              .then((p) => ({ ...p, environments: p.environments.filter((e) => !sees || sees(e)) }))
          : listVisibleEnvironments(registry, { ...filters, search: filters.q, cursor: c, limit: PAGE_SIZE }, sees);
      let page: Awaited<ReturnType<typeof list>>;
      let notice = NOTICES[query.done ?? ""];
      try {
        page = await list(cursor);
      } catch (err) {
        if (!isStackforkError(err, "INVALID_INPUT")) throw err;
        page = await list(undefined);
        notice = "That page link is no longer valid: showing the first page.";
      }
      const body = renderEnvironmentList({
        environments: page.environments,
        nextCursor: page.nextCursor,
        counts: await countVisibleEnvironments(registry, sees),
        filters,
        repositories: deps.repositories.map((r) => r.name),
        paged: cursor !== undefined,
        notice,
        reconciliations: (await deps.reconciler?.readStatus({ behind: false }))?.repositories,
        sort,
        // Totals are over every repository: not for a person who may not see them all.
        costTotals: sees ? undefined : await costs.totals(),
        now: deps.now(),
      });
      return sendPage(request, reply, 200, { title: "Environments", current: "environments" }, body);
    });

    pages.get("/environments/:id", async (request, reply) => {
      if (!(await mayRead(request, reply))) return reply;
      const { id } = request.params as { id: string };
      const query = request.query as Record<string, string | undefined>;
      const environment = await findVisibleEnvironment(access, registry, request, id);
      const events = await registry.listEvents(id);
      const jobId = text(query.job, 100) ?? currentJob(events);
      const chrome = await chromeOf(request, environment.name);
      const body = renderEnvironmentDetail({
        environment,
        events,
        log: { jobId, lines: jobId ? await registry.readLog(id, { jobId }) : [] },
        now: deps.now(),
        loggedIn: chrome.loggedIn,
        readOnly:
          chrome.loggedIn && !(await access.authorize(request, "write", environment).then(Boolean, () => false)),
        csrfToken: chrome.csrfToken,
        notice: NOTICES[query.done ?? ""],
        canShare: deps.shareLinks !== undefined,
        config: await copyConfig.listConfig(id),
        costDetail: environment.cost ? await registry.readCostDetail(id) : undefined,
      });
      return sendPage(request, reply, 200, chrome, body);
    });

    pages.get("/sandboxes/new", async (request, reply) => {
      if (!(await mayRead(request, reply))) return reply;
      const chrome = await chromeOf(request, "New sandbox", "new-sandbox");
      const body = renderSandboxForm({ repositories: deps.repositories, values: {}, ...chrome });
      return sendPage(request, reply, 200, chrome, body);
    });

    pages.post("/sandboxes", async (request, reply) => {
      await requireChange(request);
      const form = request.body as Record<string, unknown>;
      const values = { owner: field(form.owner), repository: field(form.repository), ref: field(form.ref) };
      try {
        if (!values.owner || !/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/.test(values.owner))
          throw new StackforkError(
            "INVALID_INPUT",
            "owner must be a GitHub login: letters, digits and dashes, at most 39",
          );
        if (!values.repository) throw new StackforkError("INVALID_INPUT", "choose a repository");
        const result = await actions.requestSandbox({
          repository: values.repository,
          owner: values.owner,
          ref: values.ref || undefined,
          by: await authorizeSandboxRequest(access, registry, request, values as { repository: string; owner: string }),
        });
        return reply.redirect(`/environments/${encodeURIComponent(result.environment.id)}?done=sandbox`, 303);
      } catch (err) {
        if (!isStackforkError(err) || !err.visible || err.status >= 500) throw err;
        const chrome = await chromeOf(request, "New sandbox", "new-sandbox");
        const body = renderSandboxForm({
          repositories: deps.repositories,
          values,
          ...chrome,
          problem: `${err.code}: ${err.message}`,
        });
        return sendPage(request, reply, err.status, chrome, body);
      }
    });

    registerEnvironmentFormPages(pages, { actions, copyConfig, access, registry, requireChange });
    registerCostPages(pages, { registry, mayRead, access, sendPage, now: deps.now });
    registerSharePages(pages, { shareLinks: deps.shareLinks, requireChange, sendPage });
    registerLoginPages(pages, { auth, access, now: deps.now, sendPage, requireChange, githubSignIn: !!deps.signIn });
    registerGitHubSignInPages(pages, { signIn: deps.signIn, access, now: deps.now, sendPage });
  });
}

/** The job whose log a detail page shows: the one running, or else the last one asked for. */
function currentJob(events: readonly { type: string; jobId?: string }[]): string | undefined {
  const types = ["deploy_requested", "destroy_requested", "deploy_started", "destroy_started"];
  return events.findLast((e) => e.jobId && types.includes(e.type))?.jobId;
}

function pick(value: string | undefined, allowed: readonly string[]): string | undefined {
  return value && allowed.includes(value) ? value : undefined;
}

function text(value: string | undefined, maxLength: number): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, maxLength) : undefined;
}
