import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { Registry } from "../registry/registry.ts";
import type { Auth, Session } from "./create-auth.ts";
import { type HostRules, isAllowedHost } from "./is-allowed-host.ts";

export const SESSION_COOKIE = "stackfork_session";
/** The pre-login nonce the login form's CSRF token is bound to. */
export const LOGIN_NONCE_COOKIE = "stackfork_login";

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
  now: () => Date;
}

/** Who a request is, for fastify: a bearer token, a dashboard session, or nobody. */
export function createRequestAccess({
  auth,
  readsOpen,
  hosts = {},
  httpsOnly = false,
  revocations,
  now,
}: RequestAccessOptions) {
  const bearer = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    return auth.tokenMatches(match?.[1]);
  };
  /** Read once per request: a session costs one registry read (is it revoked?). */
  const sessions = new WeakMap<FastifyRequest, Promise<Session | undefined>>();
  const readSession = async (request: FastifyRequest): Promise<Session | undefined> => {
    const found = auth.readSession(request.cookies[SESSION_COOKIE], now());
    if (!found || (await revocations.isSessionRevoked(found.id, now()))) return undefined;
    return found;
  };
  const session = (request: FastifyRequest): Promise<Session | undefined> => {
    let found = sessions.get(request);
    if (!found) {
      found = readSession(request);
      sessions.set(request, found);
    }
    return found;
  };
  /** `request.host`: the Host header, or a trusted proxy's X-Forwarded-Host (fastify's trustProxy). */
  const hostServed = (request: FastifyRequest) => httpsOnly || isAllowedHost(request.host, hosts, request.socket ?? {});
  const proven = async (request: FastifyRequest) => bearer(request) || (await session(request)) !== undefined;

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

  return {
    bearer,
    session,
    /** Whether a request may read; throws HOST_NOT_ALLOWED for open reads under a foreign Host. */
    canRead: checkRead,
    /** onRequest hook of API reads: before the body is read. */
    async requireRead(request: FastifyRequest, reply: FastifyReply) {
      if (!(await checkRead(request)))
        throw unauthorized(reply, "reading needs the API token here (the server is not on loopback)");
    },
    /** onRequest hook of API changes: before the body (an upload) is read. */
    async requireBearer(request: FastifyRequest, reply: FastifyReply) {
      if (!bearer(request))
        throw unauthorized(
          reply,
          "send Authorization: Bearer <token> (STACKFORK_API_TOKEN, or <data dir>/secrets/api-token)",
        );
    },
    /** Logout: the session ends on the server, whatever becomes of its cookie. */
    async revokeSession(session: Session): Promise<void> {
      await revocations.revokeSession(session.id, session.expiresAt, now());
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

function unauthorized(reply: FastifyReply, message: string): StackforkError {
  reply.header("www-authenticate", 'Bearer realm="stackfork"');
  return new StackforkError("UNAUTHORIZED", message);
}
