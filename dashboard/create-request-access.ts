import type {} from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { StackforkError } from "../core/errors.ts";
import type { Auth, Session } from "./create-auth.ts";

export const SESSION_COOKIE = "stackfork_session";
/** The pre-login nonce the login form's CSRF token is bound to. */
export const LOGIN_NONCE_COOKIE = "stackfork_login";

export interface RequestAccessOptions {
  auth: Auth;
  /** Reads need no token: the server listens on loopback, or `publicReads` is set. */
  readsOpen: boolean;
  now: () => Date;
}

/** Who a request is, for fastify: a bearer token, a dashboard session, or nobody. */
export function createRequestAccess({ auth, readsOpen, now }: RequestAccessOptions) {
  const bearer = (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    return auth.tokenMatches(match?.[1]);
  };
  const session = (request: FastifyRequest): Session | undefined =>
    auth.readSession(request.cookies[SESSION_COOKIE], now());
  const canRead = (request: FastifyRequest) => readsOpen || bearer(request) || session(request) !== undefined;

  return {
    bearer,
    session,
    canRead,
    /** onRequest hook of API reads: before the body is read. */
    async requireRead(request: FastifyRequest, reply: FastifyReply) {
      if (!canRead(request))
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
    cookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
      return {
        httpOnly: true,
        sameSite: "strict" as const,
        path: "/",
        // Plain http on loopback must still work; behind TLS the cookie never travels in clear.
        secure: request.protocol === "https",
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
