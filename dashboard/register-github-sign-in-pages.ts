import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isStackforkError, StackforkError } from "../core/errors.ts";
import { exchangeGitHubCode } from "../sign-in/exchange-github-code.ts";
import { readGitHubLogin } from "../sign-in/read-github-login.ts";
import type { GitHubSignInClient, PersonSessions } from "../sign-in/sign-in-options.ts";
import type { SignInStates } from "../sign-in/sign-in-state.ts";
import { html } from "../web/html.ts";
import { type RequestAccess, SESSION_COOKIE } from "./create-request-access.ts";
import type { PageHelpers } from "./page-helpers.ts";
import { safeNextPath } from "./safe-next-path.ts";

/** The sealed `state` and PKCE verifier of a sign-in under way (sign-in/sign-in-state.ts). */
export const SIGN_IN_STATE_COOKIE = "stackfork_github_sign_in";
export const GITHUB_CALLBACK_PATH = "/login/github/callback";
/** The state cookie travels only to the two sign-in paths. */
const STATE_COOKIE_PATH = "/login/github";

export interface GitHubSignInPageDeps extends Pick<PageHelpers, "sendPage"> {
  /** Absent: sign-in with GitHub is off (the pages answer SIGN_IN_OFF). */
  signIn?: { client: GitHubSignInClient; sessions: PersonSessions; states: SignInStates; publicUrl?: string };
  access: RequestAccess;
  now: () => Date;
}

/**
 * Sign-in with GitHub, the web flow with `state` and PKCE: `GET /login/github` sends the browser to
 * GitHub, `GET /login/github/callback` checks that the browser coming back is the one that left,
 * trades the code for a user token, asks GitHub who it is, and starts a person session (the
 * dashboard's session cookie). GitHub's user token is used for that one question and kept nowhere.
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow
 */
export function registerGitHubSignInPages(pages: FastifyInstance, deps: GitHubSignInPageDeps): void {
  const { access, now, sendPage } = deps;
  const signIn = () => {
    if (!deps.signIn)
      throw new StackforkError(
        "SIGN_IN_OFF",
        "sign-in with GitHub is off here: set GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET, or log in with the API token",
      );
    return deps.signIn;
  };
  /**
   * Where GitHub sends the browser back, which must match the callback URL registered on GitHub:
   * STACKFORK_PUBLIC_URL when set, else this server as the browser reached it (https behind TLS).
   */
  const callbackUrl = (request: FastifyRequest) =>
    `${deps.signIn?.publicUrl ?? `${access.cookieOptions(request).secure ? "https" : "http"}://${request.host}`}${GITHUB_CALLBACK_PATH}`;
  // Lax, not Strict: the callback is a navigation GitHub starts, and Strict cookies stay home then.
  const stateCookie = (request: FastifyRequest, maxAgeSeconds?: number) => ({
    ...access.cookieOptions(request, maxAgeSeconds),
    sameSite: "lax" as const,
    path: STATE_COOKIE_PATH,
  });

  pages.get("/login/github", async (request, reply) => {
    const { client, states } = signIn();
    const next = safeNextPath((request.query as Record<string, string | undefined>).next);
    const started = states.start(next, now());
    reply.setCookie(SIGN_IN_STATE_COOKIE, started.cookie, stateCookie(request, started.maxAgeSeconds));
    const authorize = new URL(`${client.webUrl}/login/oauth/authorize`);
    authorize.searchParams.set("client_id", client.clientId);
    authorize.searchParams.set("redirect_uri", callbackUrl(request));
    authorize.searchParams.set("state", started.state);
    authorize.searchParams.set("code_challenge", started.codeChallenge);
    authorize.searchParams.set("code_challenge_method", "S256");
    authorize.searchParams.set("allow_signup", "false");
    return reply.redirect(authorize.href, 302);
  });

  pages.get(GITHUB_CALLBACK_PATH, async (request, reply) => {
    const { client, sessions, states } = signIn();
    const query = request.query as Record<string, string | undefined>;
    // Single use whatever happens next: a second visit of this URL finds no state.
    reply.clearCookie(SIGN_IN_STATE_COOKIE, stateCookie(request));
    const sealed = states.open(request.cookies[SIGN_IN_STATE_COOKIE], query.state, now());
    if (!sealed) {
      return refuse(
        request,
        reply,
        "this sign-in was not started in this browser, or too long ago (its state does not match): nothing was signed in.",
      );
    }
    if (query.error || !query.code) {
      return refuse(request, reply, `GitHub did not sign you in (${query.error ?? "no code"}).`, sealed.next);
    }
    try {
      const userToken = await exchangeGitHubCode(client, {
        code: query.code,
        codeVerifier: sealed.codeVerifier,
        redirectUri: callbackUrl(request),
      });
      const login = await readGitHubLogin(userToken, client.apiUrl);
      const { secret, session } = await sessions.startPersonSession({ login, via: "page" });
      const seconds = Math.max(1, Math.floor((Date.parse(session.expiresAt) - now().getTime()) / 1000));
      reply.setCookie(SESSION_COOKIE, secret, access.cookieOptions(request, seconds));
      request.log.info({ login, via: "page" }, "signed in with GitHub");
      // A page that moves on by itself, not a redirect: a navigation a cross-site redirect chain
      // began (GitHub's) does not carry the Strict session cookie, one this origin begins does.
      reply.header("refresh", `0;url=${sealed.next}`);
      return sendPage(
        request,
        reply,
        200,
        { title: "Signed in", current: "login" },
        html`<h1>Signed in</h1>
<p role="status">Signed in with GitHub as <strong>${login}</strong>. <a href="${sealed.next}">Continue</a></p>`,
      );
    } catch (err) {
      if (!isStackforkError(err, "SIGN_IN_REFUSED")) throw err;
      return refuse(request, reply, err.message, sealed.next);
    }
  });

  function refuse(request: FastifyRequest, reply: FastifyReply, problem: string, next = "/") {
    return sendPage(
      request,
      reply,
      403,
      { title: "Sign-in refused", current: "login" },
      html`<h1>Sign-in refused</h1>
<p class="problem" role="alert" id="sign-in-problem"><code>SIGN_IN_REFUSED</code> ${problem}</p>
<p><a href="/login/github?next=${encodeURIComponent(next)}">Sign in with GitHub again</a> · <a href="/">Back to the environments</a></p>`,
    );
  }
}
