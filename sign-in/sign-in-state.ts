import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What the browser carries between `GET /login/github` and GitHub's return, sealed by the server. */
export interface SignInState {
  /** The `state` sent to GitHub: the callback must bring back the same. */
  state: string;
  /** PKCE's secret half: only its S256 digest goes to GitHub. */
  codeVerifier: string;
  /** Where to go once signed in: a path on this server (safeNextPath). */
  next: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Ten minutes, as GitHub's codes: a sign-in started and left is worthless after it. */
const LIFETIME_MS = 600_000;

/**
 * The web flow's `state` and PKCE verifier, kept in the browser in a cookie signed with the
 * server's key (HMAC), so every dashboard instance (several Lambdas) checks it with nothing
 * stored. A forged cookie fails the signature; a `state` from another browser fails the match.
 * https://datatracker.ietf.org/doc/html/rfc6749#section-10.12, https://datatracker.ietf.org/doc/html/rfc7636
 */
export function createSignInStates(signingKey: string) {
  const key = createHmac("sha256", signingKey).update("stackfork github sign-in v1").digest();
  const mac = (body: string) => createHmac("sha256", key).update(body).digest("base64url");

  return {
    /** A new sign-in: the cookie to set, the state and the code challenge to send GitHub. */
    start(next: string, now: Date) {
      const sealed: SignInState = {
        state: randomBytes(24).toString("base64url"),
        codeVerifier: randomBytes(32).toString("base64url"),
        next,
        expiresAt: now.getTime() + LIFETIME_MS,
      };
      const body = Buffer.from(JSON.stringify(sealed)).toString("base64url");
      return {
        cookie: `${body}.${mac(body)}`,
        maxAgeSeconds: LIFETIME_MS / 1000,
        state: sealed.state,
        codeChallenge: createHash("sha256").update(sealed.codeVerifier).digest("base64url"),
      };
    },
    /** The sign-in a cookie seals, if intact, unexpired and started for this `state`. */
    open(cookie: string | undefined, state: string | undefined, now: Date): SignInState | undefined {
      const [body, signature, ...rest] = cookie?.split(".") ?? [];
      if (!body || !signature || rest.length > 0 || !state || !sameText(signature, mac(body))) return undefined;
      const sealed = JSON.parse(Buffer.from(body, "base64url").toString()) as SignInState;
      if (sealed.expiresAt <= now.getTime() || !sameText(sealed.state, state)) return undefined;
      return sealed;
    },
  };
}

export type SignInStates = ReturnType<typeof createSignInStates>;

function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
