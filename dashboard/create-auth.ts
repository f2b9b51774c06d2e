import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface AuthOptions {
  /** STACKFORK_API_TOKEN, or the one generated into the data dir. */
  apiToken: string;
  /** How long a dashboard login lasts. @default 12 */
  sessionHours?: number;
}

export interface Session {
  /** Random per login: CSRF tokens are bound to it, so a token from another session is refused. */
  nonce: string;
  /** What the server knows the session by (a logout revokes it): a digest of the nonce, never the cookie. */
  id: string;
  expiresAt: Date;
}

export interface Auth {
  /** Whether `candidate` is the API token; constant time whatever the lengths. */
  tokenMatches(candidate: string | undefined): boolean;
  /** A new login: the cookie value to set and its lifetime. */
  issueSession(now: Date): { cookie: string; maxAgeSeconds: number };
  /** The session a cookie value proves, if it is ours, intact and not expired. */
  readSession(cookie: string | undefined, now: Date): Session | undefined;
  /** The CSRF token for forms of a session (or, before login, of a pre-login nonce cookie). */
  csrfToken(nonce: string): string;
  csrfValid(nonce: string | undefined, token: string | undefined): boolean;
  newNonce(): string;
}

/**
 * Dashboard auth: sessions and CSRF tokens are HMACs under a key derived from the API token, so
 * they survive a restart and all die when the token is rotated; the only state is the list of
 * sessions ended by logout (the registry's, see create-request-access.ts). CSRF uses
 * the signed double-submit pattern bound to the session
 * (https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html).
 */
export function createAuth({ apiToken, sessionHours = 12 }: AuthOptions): Auth {
  const key = createHmac("sha256", apiToken).update("stackfork dashboard keys v1").digest();
  const tokenDigest = digest(apiToken);
  const mac = (purpose: string, value: string) =>
    createHmac("sha256", key).update(`${purpose}\n${value}`).digest("base64url");

  return {
    // Digests first: timingSafeEqual needs equal lengths, and the length must not leak either.
    tokenMatches: (candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), tokenDigest),
    issueSession(now) {
      const maxAgeSeconds = Math.round(sessionHours * 3600);
      const body = `${now.getTime() + maxAgeSeconds * 1000}.${randomBytes(16).toString("base64url")}`;
      return { cookie: `${body}.${mac("session", body)}`, maxAgeSeconds };
    },
    readSession(cookie, now) {
      const [expires, nonce, signature, ...rest] = cookie?.split(".") ?? [];
      if (!expires || !nonce || !signature || rest.length > 0) return undefined;
      if (!sameText(signature, mac("session", `${expires}.${nonce}`))) return undefined;
      const expiresAt = new Date(Number(expires));
      if (expiresAt.getTime() <= now.getTime()) return undefined;
      return { nonce, id: digest(`session\n${nonce}`).toString("base64url"), expiresAt };
    },
    csrfToken: (nonce) => mac("csrf", nonce),
    csrfValid: (nonce, token) => nonce !== undefined && token !== undefined && sameText(token, mac("csrf", nonce)),
    newNonce: () => randomBytes(16).toString("base64url"),
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function sameText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
