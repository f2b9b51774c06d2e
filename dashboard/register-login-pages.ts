import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Auth } from "./create-auth.ts";
import { LOGIN_NONCE_COOKIE, type RequestAccess, SESSION_COOKIE } from "./create-request-access.ts";
import { field, type PageHelpers } from "./page-helpers.ts";
import { renderLoginForm } from "./render-login-form.ts";
import { safeNextPath } from "./safe-next-path.ts";

/** Logging in with the API token (a session cookie, CSRF-bound login form) and out (revoked on the server). */
export function registerLoginPages(
  pages: FastifyInstance,
  {
    auth,
    access,
    now,
    sendPage,
    requireChange,
    githubSignIn = false,
  }: PageHelpers & { auth: Auth; access: RequestAccess; now: () => Date; githubSignIn?: boolean },
): void {
  pages.get("/login", async (request, reply) => {
    const next = safeNextPath((request.query as Record<string, string | undefined>).next);
    return sendLogin(request, reply, 200, next);
  });

  pages.post("/login", async (request, reply) => {
    const form = request.body as Record<string, unknown>;
    const next = safeNextPath(field(form.next));
    const nonce = request.cookies[LOGIN_NONCE_COOKIE];
    if (!auth.csrfValid(nonce && `login:${nonce}`, field(form._csrf))) {
      return sendLogin(request, reply, 403, next, "CSRF_INVALID: the login form was stale; try again.");
    }
    if (!auth.tokenMatches(field(form.token))) {
      return sendLogin(request, reply, 401, next, "UNAUTHORIZED: that is not the API token.");
    }
    const session = auth.issueSession(now());
    reply.setCookie(SESSION_COOKIE, session.cookie, access.cookieOptions(request, session.maxAgeSeconds));
    reply.clearCookie(LOGIN_NONCE_COOKIE, access.cookieOptions(request));
    return reply.redirect(next === "/" ? "/?done=login" : next, 303);
  });

  pages.post("/logout", async (request, reply) => {
    // Ended on the server too: a copy of the cookie (stolen, or a browser that keeps it) is worthless.
    await access.revokeSession(await requireChange(request));
    reply.clearCookie(SESSION_COOKIE, access.cookieOptions(request));
    return reply.redirect("/?done=logout", 303);
  });

  function sendLogin(request: FastifyRequest, reply: FastifyReply, status: number, next: string, problem?: string) {
    // A fresh nonce per form shown: the login form's CSRF token is bound to it.
    const nonce = auth.newNonce();
    reply.setCookie(LOGIN_NONCE_COOKIE, nonce, access.cookieOptions(request, 3600));
    const body = renderLoginForm({ csrfToken: auth.csrfToken(`login:${nonce}`), next, problem, githubSignIn });
    return sendPage(request, reply, status, { title: "Log in", current: "login" }, body);
  }
}
