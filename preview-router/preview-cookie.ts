import type { FastifyRequest } from "fastify";

/** The query parameter a share link carries its token in; the router removes it and redirects. */
export const SHARE_QUERY_PARAMETER = "stackfork-share";
/** The cookie a share link leaves on the preview's host; never passed on to the copy. */
export const SHARE_COOKIE = "stackfork_preview";

/**
 * The share cookie's options: no Domain attribute, so it belongs to the preview's host alone (not to
 * other previews under the same domain, nor to the dashboard); HttpOnly; SameSite=Lax so that the
 * link followed from a pull request or a mail carries it; Secure when the request came over https
 * (`request.protocol` believes X-Forwarded-Proto only with trustProxy, as the dashboard's cookies do).
 */
export function shareCookieOptions(request: FastifyRequest, expiresAt: Date) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    path: "/",
    secure: request.protocol === "https",
    expires: expiresAt,
  };
}
