import type { IncomingHttpHeaders } from "node:http";
import cookie from "@fastify/cookie";
import httpProxy from "@fastify/http-proxy";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { Environment } from "../core/environment.ts";
import type { Registry } from "../registry/registry.ts";
import type { PreviewAddresses } from "./create-preview-addresses.ts";
import type { ShareLinks } from "./create-share-links.ts";
import { isBehindRouter } from "./is-behind-router.ts";
import { parsePreviewHost } from "./parse-preview-host.ts";
import { SHARE_COOKIE, SHARE_QUERY_PARAMETER, shareCookieOptions } from "./preview-cookie.ts";
import { type PreviewState, sendPreviewState } from "./render-preview-state.ts";

export interface PreviewRouterOptions {
  registry: Pick<Registry, "getEnvironment">;
  addresses: PreviewAddresses;
  shareLinks: ShareLinks;
  /** A repository's `previewAccess`: `public` (anyone who reaches the router) or `link` (a share link). */
  accessOf: (repository: string) => "public" | "link";
  /** The dashboard as people reach it (STACKFORK_PUBLIC_URL, or the server's address): state pages link there. */
  dashboardUrl: () => string;
  /** As the dashboard's: believe X-Forwarded-Host / -Proto from a proxy in front. @default false */
  trustProxy?: boolean;
  /** pino options, or false. */
  logger: boolean | object;
}

/**
 * The preview router: a fastify app of its own that serves `<environment>.<previewDomain>` by
 * proxying to that environment's copy with @fastify/http-proxy (bodies streamed both ways, method,
 * path, query and headers kept, X-Forwarded-For/-Host/-Proto added, WebSockets through `ws`), or
 * answers with a state page when the copy is not there. The dashboard's server hands it the
 * requests and upgrades whose Host is a preview's (create-preview-server-factory.ts); a
 * `previewPort` of its own listens with it directly.
 */
export async function createPreviewRouter(options: PreviewRouterOptions): Promise<FastifyInstance> {
  const { registry, addresses, shareLinks } = options;
  const router = Fastify({
    logger: options.logger,
    trustProxy: options.trustProxy ?? false,
    // Two lines per proxied request would drown the server's log; failures are logged (onError).
    logController: new LogController({ disableRequestLogging: true }),
  });
  /** The copy each request goes to, decided once in onRequest (async), read by the proxy (sync). */
  const upstreams = new WeakMap<FastifyRequest, string>();
  const state = (request: FastifyRequest, reply: FastifyReply, answer: PreviewState) =>
    sendPreviewState(request, reply, answer, options.dashboardUrl().replace(/\/+$/, ""));

  await router.register(cookie);
  router.addHook("onRequest", async (request, reply) => {
    const name = parsePreviewHost(request.host, addresses.domain);
    if (!name) {
      return state(request, reply, {
        code: "NOT_FOUND",
        name: "",
        message: `${request.host} is not a preview address (<environment>.${addresses.domain})`,
      });
    }
    const environment = await registry.getEnvironment(name);
    if (!environment || environment.status === "destroyed") {
      const message = environment ? `${name} was destroyed` : `no environment is named ${name}`;
      return state(request, reply, { code: "NOT_FOUND", name, message });
    }
    if (options.accessOf(environment.repository) === "link" && !(await admit(request, reply, environment)))
      return reply;
    if (environment.status !== "ready") {
      return state(request, reply, {
        code: "PREVIEW_NOT_READY",
        name,
        status: environment.status,
        message: describeStatus(environment),
      });
    }
    if (!isBehindRouter(environment.url)) {
      const message = environment.url
        ? `${name} is not served through the router: open its own address, ${environment.url}`
        : `${name} has no address`;
      return state(request, reply, { code: "NOT_FOUND", name, message });
    }
    upstreams.set(request, environment.url);
  });

  /**
   * A repository with `previewAccess: link`: a share link's token sets the cookie and redirects to
   * the same address without it; else the cookie must hold a valid one. False when answered.
   */
  async function admit(request: FastifyRequest, reply: FastifyReply, environment: Environment): Promise<boolean> {
    const url = new URL(request.url, "http://preview.invalid");
    const fromLink = url.searchParams.get(SHARE_QUERY_PARAMETER);
    if (fromLink !== null) {
      const grant = await shareLinks.check(fromLink, environment.id);
      if (grant) {
        url.searchParams.delete(SHARE_QUERY_PARAMETER);
        reply.setCookie(SHARE_COOKIE, fromLink, shareCookieOptions(request, grant.expiresAt));
        void reply.header("cache-control", "no-store").redirect(`${url.pathname}${url.search}`, 303);
        return false;
      }
    } else if (await shareLinks.check(request.cookies[SHARE_COOKIE], environment.id)) {
      return true;
    }
    state(request, reply, {
      code: "SHARE_LINK_REQUIRED",
      name: environment.name,
      message: `${fromLink === null ? "this preview opens only with a share link" : "this share link is expired, revoked or not valid"}: ask someone on the team for one (\`stackfork share ${environment.name}\`, or the Share button on the environment's dashboard page)`,
    });
    return false;
  }

  await router.register(httpProxy, {
    upstream: "",
    websocket: true,
    disableRequestLogging: true,
    replyOptions: {
      getUpstream: (request) => upstreams.get(request as FastifyRequest) ?? "",
      // A transparent proxy passes a copy's 503 on: no retries (reply-from retries GETs by default).
      retryDelay: () => null,
      rewriteRequestHeaders: (request, headers) => ({
        ...withoutShareCookie(headers),
        ...forwardedHeaders(request as FastifyRequest),
      }),
      onError: (reply, { error }) => {
        const request = reply.request as FastifyRequest;
        request.log.warn({ err: error }, "preview copy did not answer");
        const name = parsePreviewHost(request.host, addresses.domain) ?? "";
        state(request, reply as FastifyReply, {
          code: "COPY_NOT_ANSWERING",
          name,
          message: `the copy of ${name} did not answer (${(error as { code?: string }).code ?? error.message}): redeploy it from the dashboard`,
        });
      },
    },
    wsClientOptions: {
      // A copy that takes the connection but never answers the upgrade does not hold the client forever.
      handshakeTimeout: 10_000,
      // Read by http-proxy (its default passes the cookie alone), missing from its types.
      ...{
        rewriteRequestHeaders: (headers: Record<string, string>, request: FastifyRequest) => ({
          ...headers,
          ...withoutShareCookie({ cookie: request.headers.cookie }),
          ...forwardedHeaders(request),
        }),
      },
    },
  });
  return router;
}

/** The copy is branch code: it never sees the share token. */
function withoutShareCookie(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const cookie = headers.cookie
    ?.split(";")
    .filter((pair) => pair.trim().split("=")[0] !== SHARE_COOKIE)
    .join(";")
    .trim();
  const { cookie: _dropped, ...rest } = headers;
  return cookie ? { ...rest, cookie } : rest;
}

/** The usual forwarding headers: who asked (appended to a list already there), under which name, over what. */
function forwardedHeaders(request: FastifyRequest): Record<string, string> {
  const previous = request.headers["x-forwarded-for"];
  const client = request.socket.remoteAddress ?? "";
  return {
    "x-forwarded-for": previous ? `${previous}, ${client}` : client,
    "x-forwarded-host": request.host,
    "x-forwarded-proto": request.protocol,
  };
}

function describeStatus(environment: Environment): string {
  switch (environment.status) {
    case "queued":
    case "deploying":
      return `${environment.name} is ${environment.status}: this page works once it is ready`;
    case "failed":
      return `${environment.name}'s last deploy failed${environment.lastError ? ` (${environment.lastError.code})` : ""}: see its log on the dashboard`;
    case "awaiting_approval":
      return `${environment.name} waits for someone with write access to approve its commit`;
    default:
      return `${environment.name} is ${environment.status}`;
  }
}
