import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type AccessNeed,
  type AccessTarget,
  createPermissionCheck,
  type PermissionCheck,
} from "../access/check-permission.ts";
import { createPrincipalResolver } from "../access/resolve-principal.ts";
import { StackforkError } from "../core/errors.ts";
import { actorOf, type Principal, type Via } from "../core/principal.ts";
import type { AccessStore } from "../registry/access-store.ts";
import type { Registry } from "../registry/registry.ts";
import type { Auth, Session } from "./create-auth.ts";
import { type HostRules, isAllowedHost } from "./is-allowed-host.ts";

export const SESSION_COOKIE = "stackfork_session";
/** The pre-login nonce the login form's CSRF token is bound to. */
export const LOGIN_NONCE_COOKIE = "stackfork_login";
/** Sent by the `stackfork` CLI, so that history says `via: cli` rather than `api`. */
export const CLIENT_HEADER = "x-stackfork-client";

/** A dashboard session: the API token's login, or a person signed in with GitHub (`login`). */
export type RequestSession = Session & { login?: string };

/** Who asked for a change and how: what history records (`actor`, `via`). */
export interface ActionBy {
  actor: string;
  via: Via;
}

export interface RequestAccessOptions {
  auth: Auth;
  /** Reads need no token: the server listens on loopback, or `publicReads` is set. */
  readsOpen: boolean;
  /**
   * The names a request's Host may carry when it reads without a token (DNS rebinding): besides
   * loopback names and the server's own address and port, `allowedHosts`.
   */
  hosts?: HostRules;
  /**
   * TLS ends in front of the app, before any request reaches it (a Lambda Function URL): session
   * cookies are always `Secure`, and the Host check is the front's (a name rebound by DNS fails its
   * certificate, and Function URLs route by host). @default false
   */
  httpsOnly?: boolean;
  /**
   * Sessions ended by logout, shared by every instance of the dashboard (the registry: on AWS the
   * dashboard runs as several Lambda instances, so not in memory).
   */
  revocations: Pick<Registry, "revokeSession" | "isSessionRevoked">;
  /** People's sessions and named tokens (issue 22); absent: the API token is the only principal. */
  people?: Pick<AccessStore, "findNamedToken" | "readPersonSession" | "endPersonSession">;
  /** What each principal may do; absent: tokens by their scopes, people nothing but their own sandboxes. */
  permissions?: PermissionCheck;
  now: () => Date;
}

/** Who a request is, for fastify: a bearer token, a dashboard session, or nobody. */
export function createRequestAccess({
  auth,
  readsOpen,
  hosts = {},
  httpsOnly = false,
  revocations,
  people,
  now,
  ...options
}: RequestAccessOptions) {
  const permissions = options.permissions ?? createPermissionCheck({ repositories: [], now });
  const resolver =
    people && createPrincipalResolver({ apiTokenMatches: (t) => auth.tokenMatches(t), store: people, now });
  const bearerSecret = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    return (typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1];
  };
  /** Who a bearer is; read once per request (a named token or a person's token costs a registry read). */
  const bearers = new WeakMap<FastifyRequest, Promise<Principal | undefined>>();
  const bearerPrincipal = (request: FastifyRequest): Promise<Principal | undefined> => {
    let found = bearers.get(request);
    if (!found) {
      const secret = bearerSecret(request);
      found =
        secret === undefined
          ? Promise.resolve(undefined)
          : resolver
            ? resolver.fromBearer(secret)
            : Promise.resolve(auth.tokenMatches(secret) ? { kind: "api_token" as const } : undefined);
      bearers.set(request, found);
    }
    return found;
  };
  /** Read once per request: a session costs one registry read (is it revoked? whose is it?). */
  const sessions = new WeakMap<FastifyRequest, Promise<RequestSession | undefined>>();
  const readSession = async (request: FastifyRequest): Promise<RequestSession | undefined> => {
    const cookie = request.cookies[SESSION_COOKIE];
    const found = auth.readSession(cookie, now());
    if (found) return (await revocations.isSessionRevoked(found.id, now())) ? undefined : found;
    const person = cookie && resolver ? await resolver.fromPageCookie(cookie) : undefined;
    // The CSRF tokens of a person's forms are bound to the session's id, a digest of the cookie.
    return person && { nonce: person.id, id: person.id, expiresAt: new Date(person.expiresAt), login: person.login };
  };
  const session = (request: FastifyRequest): Promise<RequestSession | undefined> => {
    let found = sessions.get(request);
    if (!found) {
      found = readSession(request);
      sessions.set(request, found);
    }
    return found;
  };
  /** `request.host`: the Host header, or a trusted proxy's X-Forwarded-Host (fastify's trustProxy). */
  const hostServed = (request: FastifyRequest) => httpsOnly || isAllowedHost(request.host, hosts, request.socket ?? {});
  /** The bearer's principal, else the session's: a person, or the API token's login. */
  async function principal(request: FastifyRequest): Promise<Principal | undefined> {
    const fromBearer = await bearerPrincipal(request);
    if (fromBearer) return fromBearer;
    const found = await session(request);
    if (!found) return undefined;
    return found.login !== undefined ? { kind: "person", login: found.login } : { kind: "api_token" };
  }
  const proven = async (request: FastifyRequest) => (await principal(request)) !== undefined;
  /** How a request asks: the dashboard's forms, the CLI (it says so), or anything else with a bearer. */
  const viaOf = async (request: FastifyRequest): Promise<Via> =>
    (await bearerPrincipal(request)) ? (request.headers[CLIENT_HEADER] === "cli" ? "cli" : "api") : "page";

  /**
   * Whether a request may read: with the token or a session, or when reads are open and it names
   * this server. Throws HOST_NOT_ALLOWED when open reads are refused only for its Host.
   */
  async function checkRead(request: FastifyRequest): Promise<boolean> {
    if (await proven(request)) return true;
    if (!readsOpen) return false;
    if (hostServed(request)) return true;
    throw new StackforkError(
      "HOST_NOT_ALLOWED",
      `${JSON.stringify(request.host)} is not a name of this server: open it as localhost or by its address, add the name to allowedHosts, or send the API token`,
    );
  }

  /**
   * Who may do `need` (on `target`'s repository; platform-wide without one): what history records.
   * Throws UNAUTHORIZED with no principal, NOT_FOUND for an environment the principal may not even
   * see (it is not shown to them at all), FORBIDDEN otherwise.
   */
  async function authorize(request: FastifyRequest, need: AccessNeed, target?: AccessTarget): Promise<ActionBy> {
    const who = await principal(request);
    if (!who) throw new StackforkError("UNAUTHORIZED", "sign in, or send Authorization: Bearer <token>");
    if (target && !(await permissions.allows(who, "read", target))) {
      throw new StackforkError("NOT_FOUND", "no such environment");
    }
    if (!(await permissions.allows(who, need, target))) throw forbidden(who, need, target);
    return { actor: actorOf(who), via: await viaOf(request) };
  }

  return {
    session,
    principal,
    authorize,
    /**
     * What a request may see, as a test on an environment; undefined: everything (the API token,
     * named tokens, admins, and open reads where nobody signs in).
     */
    async visibility(request: FastifyRequest): Promise<((target: AccessTarget) => boolean) | undefined> {
      const who = await principal(request);
      return who && permissions.visibility(who);
    },
    /** Whether a request may read; throws HOST_NOT_ALLOWED for open reads under a foreign Host. */
    canRead: checkRead,
    /** onRequest hook of API reads: before the body is read. */
    async requireRead(request: FastifyRequest, reply: FastifyReply) {
      if (!(await checkRead(request)))
        throw unauthorized(reply, "reading needs the API token here (the server is not on loopback)");
    },
    /** onRequest hook of platform-wide reads (orphans, reconciliation): tokens, admins, or open reads. */
    async requireAdminRead(request: FastifyRequest, reply: FastifyReply) {
      if (!(await checkRead(request)))
        throw unauthorized(reply, "reading needs the API token here (the server is not on loopback)");
      const who = await principal(request);
      if (who && !(await permissions.allows(who, "read"))) throw forbidden(who, "read");
    },
    /** onRequest hook of API changes: before the body (an upload) is read. What each may change is checked after. */
    async requireBearer(request: FastifyRequest, reply: FastifyReply) {
      if (!(await bearerPrincipal(request)))
        throw unauthorized(
          reply,
          "send Authorization: Bearer <token> (STACKFORK_API_TOKEN, or <data dir>/secrets/api-token)",
        );
    },
    /** Logout: the session ends on the server, whatever becomes of its cookie. */
    async revokeSession(session: RequestSession): Promise<void> {
      if (session.login !== undefined) await people?.endPersonSession(session.id);
      else await revocations.revokeSession(session.id, session.expiresAt, now());
    },
    cookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
      return {
        httpOnly: true,
        sameSite: "strict" as const,
        path: "/",
        // Plain http on loopback must still work; behind TLS the cookie never travels in clear
        // (`request.protocol`: a trusted proxy's X-Forwarded-Proto, fastify's trustProxy).
        secure: httpsOnly || request.protocol === "https",
        ...(maxAgeSeconds !== undefined && { maxAge: maxAgeSeconds }),
      };
    },
  };
}

export type RequestAccess = ReturnType<typeof createRequestAccess>;

function forbidden(who: Principal, need: AccessNeed, target?: AccessTarget): StackforkError {
  const what = target
    ? `${need === "read" ? "seeing" : "changing"} environments of ${target.repository} needs ${need} access to it`
    : `this needs an admin (the admin team, or a token with the admin scope)`;
  return new StackforkError("FORBIDDEN", `${actorOf(who)} may not do this: ${what}`);
}

function unauthorized(reply: FastifyReply, message: string): StackforkError {
  reply.header("www-authenticate", 'Bearer realm="stackfork"');
  return new StackforkError("UNAUTHORIZED", message);
}
