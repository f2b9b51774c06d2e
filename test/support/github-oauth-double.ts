import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** An OAuth client the double knows: an OAuth App's, or a GitHub App's own client id and secret. */
export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  /**
   * The device flow's polling interval in seconds (GitHub says 5). Tests pass 1 to stay quick;
   * polling faster than it is answered `slow_down`. @default 5
   */
  deviceInterval?: number;
  /** What `slow_down` adds to the interval (GitHub: 5 s). @default 5 */
  slowDownStep?: number;
  /**
   * `false`: polls are never too soon, only `slowDownNextPoll` answers `slow_down` (a test that
   * polls by hand, with no clock to wait on). @default true
   */
  enforceInterval?: boolean;
}

interface Grant {
  clientId: string;
  login: string;
  redirectUri: string;
  codeChallenge?: string;
  used: boolean;
  expiresAt: number;
}

interface DeviceGrant {
  clientId: string;
  userCode: string;
  interval: number;
  expiresAt: number;
  lastPollAt?: number;
  state: "pending" | "approved" | "denied" | "done";
  login?: string;
  /** Answer the next poll `slow_down` whatever its timing (a test's way to reach that branch). */
  slowDownNext: boolean;
}

const GRANT_TYPE_DEVICE = "urn:ietf:params:oauth:grant-type:device_code";
const ERRORS_DOC =
  "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

/**
 * GitHub's sign-in endpoints on the API double's server (github.com's, in real life: the web flow
 * with `state` and PKCE, the device flow), `GET /user` for the tokens it issues, and team
 * memberships. GitHub's consent screen is the test's choice made in advance (`signInAs`) or
 * afterwards (`approveDevice`). Token errors come as HTTP 200 with `error`, as GitHub's do; JSON
 * when asked with `Accept: application/json`, else form-encoded.
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 */
export function registerOAuthDouble(
  api: FastifyInstance,
  deps: {
    client: OAuthClientOptions;
    /** The server's address, known once it listens. */
    webUrl: () => string;
    /** The API double's check of an installation token or PAT (team memberships). */
    authorize: (request: FastifyRequest, reply: FastifyReply, need: "token") => boolean;
  },
) {
  const { client } = deps;
  const users = new Map<string, { login: string; id: number }>();
  const grants = new Map<string, Grant>();
  const devices = new Map<string, DeviceGrant>();
  const userTokens = new Map<string, string>();
  const teams = new Map<string, Map<string, "member" | "maintainer">>();
  let nextUserId = 5000;
  let chosenLogin: string | undefined;

  const userOf = (login: string) => {
    let user = users.get(login.toLowerCase());
    if (!user) {
      user = { login, id: nextUserId++ };
      users.set(login.toLowerCase(), user);
    }
    return user;
  };

  // GitHub takes the token request's parameters form-encoded, as JSON, or in the query string.
  if (!api.hasContentTypeParser("application/x-www-form-urlencoded")) {
    api.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
  }
  const paramsOf = (request: FastifyRequest): Record<string, string> => ({
    ...(request.query as Record<string, string>),
    ...((request.body ?? {}) as Record<string, string>),
  });
  const answer = (request: FastifyRequest, reply: FastifyReply, body: Record<string, string | number>) => {
    if (request.headers.accept?.includes("application/json")) return reply.send(body);
    const form = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]));
    return reply.type("application/x-www-form-urlencoded; charset=utf-8").send(form.toString());
  };
  const refuse = (request: FastifyRequest, reply: FastifyReply, error: string, description: string, extra = {}) =>
    answer(request, reply, { error, error_description: description, error_uri: ERRORS_DOC, ...extra });
  const issueToken = (login: string) => {
    const token = `gho_${randomBytes(18).toString("hex")}`;
    userTokens.set(token, login);
    return token;
  };

  // --- The web flow, step 1: GitHub's consent page, here already answered by the test's choice.
  api.get("/login/oauth/authorize", async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.client_id !== client.clientId) return reply.code(404).type("text/html").send("<h1>Not Found</h1>");
    const redirectUri = q.redirect_uri ?? "";
    if (!/^https?:\/\//.test(redirectUri))
      return reply.code(400).type("text/html").send("<h1>The redirect_uri is not valid</h1>");
    const back = new URL(redirectUri);
    if (q.state !== undefined) back.searchParams.set("state", q.state);
    if (q.code_challenge !== undefined && q.code_challenge_method !== "S256") {
      back.searchParams.set("error", "invalid_request");
      back.searchParams.set("error_description", "code_challenge_method must be S256");
      return reply.redirect(back.href, 302);
    }
    if (!chosenLogin) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "The user has denied your application access.");
      return reply.redirect(back.href, 302);
    }
    const code = randomBytes(10).toString("hex");
    grants.set(code, {
      clientId: client.clientId,
      login: userOf(chosenLogin).login,
      redirectUri,
      codeChallenge: q.code_challenge,
      used: false,
      // GitHub: "codes expire after 10 minutes".
      expiresAt: Date.now() + 600_000,
    });
    back.searchParams.set("code", code);
    return reply.redirect(back.href, 302);
  });

  // --- The token endpoint, for both flows.
  api.post("/login/oauth/access_token", async (request, reply) => {
    const p = paramsOf(request);
    if (p.grant_type === GRANT_TYPE_DEVICE) return pollDevice(request, reply, p);
    if (p.client_id !== client.clientId || !sameText(p.client_secret ?? "", client.clientSecret))
      return refuse(
        request,
        reply,
        "incorrect_client_credentials",
        "The client_id and/or client_secret passed are incorrect.",
      );
    const grant = grants.get(p.code ?? "");
    if (!grant || grant.used || grant.expiresAt < Date.now() || grant.clientId !== p.client_id)
      return refuse(request, reply, "bad_verification_code", "The code passed is incorrect or expired.");
    if (p.redirect_uri !== undefined && p.redirect_uri !== grant.redirectUri)
      return refuse(
        request,
        reply,
        "redirect_uri_mismatch",
        "The redirect_uri MUST match the registered callback URL for this application.",
      );
    // PKCE (RFC 7636, S256): the verifier must hash to the challenge the authorize step saw.
    if (grant.codeChallenge !== undefined) {
      const verifier = p.code_verifier ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (!sameText(challenge, grant.codeChallenge))
        return refuse(request, reply, "bad_verification_code", "The code_verifier does not match the code_challenge.");
    }
    grant.used = true;
    return answer(request, reply, { access_token: issueToken(grant.login), token_type: "bearer", scope: "" });
  });

  // --- The device flow: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
  api.post("/login/device/code", async (request, reply) => {
    const p = paramsOf(request);
    if (p.client_id !== client.clientId)
      return refuse(request, reply, "incorrect_client_credentials", "The client_id passed is incorrect.");
    const deviceCode = randomBytes(20).toString("hex");
    const letters = () => Array.from(randomBytes(4), (b) => "BCDFGHJKLMNPQRSTVWXZ"[b % 20]).join("");
    const grant: DeviceGrant = {
      clientId: client.clientId,
      userCode: `${letters()}-${letters()}`,
      interval: client.deviceInterval ?? 5,
      expiresAt: Date.now() + 900_000,
      state: "pending",
      slowDownNext: false,
    };
    devices.set(deviceCode, grant);
    return answer(request, reply, {
      device_code: deviceCode,
      user_code: grant.userCode,
      verification_uri: `${deps.webUrl()}/login/device`,
      expires_in: 900,
      interval: grant.interval,
    });
  });

  function pollDevice(request: FastifyRequest, reply: FastifyReply, p: Record<string, string>) {
    if (p.client_id !== client.clientId)
      return refuse(request, reply, "incorrect_client_credentials", "The client_id passed is incorrect.");
    const grant = devices.get(p.device_code ?? "");
    if (!grant || grant.state === "done")
      return refuse(request, reply, "incorrect_device_code", "The device_code provided is not valid.");
    if (grant.expiresAt < Date.now()) return refuse(request, reply, "expired_token", "The device code has expired.");
    const now = Date.now();
    // Polling faster than the interval: GitHub adds 5 s and says so. 50 ms of grace for timers.
    const tooSoon =
      client.enforceInterval !== false &&
      grant.lastPollAt !== undefined &&
      now - grant.lastPollAt < grant.interval * 1000 - 50;
    grant.lastPollAt = now;
    if (tooSoon || grant.slowDownNext) {
      grant.slowDownNext = false;
      grant.interval += client.slowDownStep ?? 5;
      return refuse(request, reply, "slow_down", "Too many requests have been made in the same timeframe.", {
        interval: grant.interval,
      });
    }
    if (grant.state === "denied")
      return refuse(request, reply, "access_denied", "The authorization request was denied.");
    if (grant.state === "pending" || !grant.login)
      return refuse(request, reply, "authorization_pending", "The authorization request is still pending.");
    grant.state = "done";
    return answer(request, reply, { access_token: issueToken(grant.login), token_type: "bearer", scope: "" });
  }

  // --- The signed-in user: https://docs.github.com/en/rest/users/users#get-the-authenticated-user
  api.get("/user", async (request, reply) => {
    const credential = (request.headers.authorization ?? "").replace(/^(token|bearer)\s+/i, "");
    const login = userTokens.get(credential);
    if (!login)
      return reply.code(401).send({ message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    const user = userOf(login);
    return {
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      html_url: `${deps.webUrl()}/${user.login}`,
      type: "User",
      site_admin: false,
      name: null,
    };
  });

  // --- Team membership: https://docs.github.com/en/rest/teams/members#get-team-membership-for-a-user
  api.get("/orgs/:org/teams/:slug/memberships/:username", async (request, reply) => {
    if (!deps.authorize(request, reply, "token")) return reply;
    const { org, slug, username } = request.params as { org: string; slug: string; username: string };
    const role = teams.get(`${org}/${slug}`.toLowerCase())?.get(username.toLowerCase());
    if (!role) return reply.code(404).send({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    return {
      url: `${deps.webUrl()}/organizations/${org}/team/${slug}/memberships/${username}`,
      role,
      state: "active",
    };
  });

  return {
    /** Who GitHub's consent page signs in from now on (the person at the browser); undefined: they decline. */
    signInAs(login: string | undefined) {
      chosenLogin = login;
    },
    /** The person enters `userCode` at the verification page and approves, as `login`. */
    approveDevice(userCode: string, login: string) {
      const grant = [...devices.values()].find((d) => d.userCode === userCode && d.state === "pending");
      if (!grant) throw new Error(`no pending device code ${userCode}`);
      grant.state = "approved";
      grant.login = userOf(login).login;
    },
    denyDevice(userCode: string) {
      const grant = [...devices.values()].find((d) => d.userCode === userCode && d.state === "pending");
      if (!grant) throw new Error(`no pending device code ${userCode}`);
      grant.state = "denied";
    },
    /** The device codes asked for, newest last: a test reads the user code here, as a person reads the terminal. */
    pendingUserCodes(): string[] {
      return [...devices.values()].filter((d) => d.state === "pending").map((d) => d.userCode);
    },
    /** The next poll of every pending device code is answered `slow_down`. */
    slowDownNextPoll() {
      for (const grant of devices.values()) if (grant.state === "pending") grant.slowDownNext = true;
    },
    /** `login` is a member (or maintainer) of the organization's team. */
    addTeamMember(team: string, login: string, role: "member" | "maintainer" = "member") {
      const key = team.toLowerCase();
      if (!teams.has(key)) teams.set(key, new Map());
      teams.get(key)?.set(login.toLowerCase(), role);
    },
    /** User tokens issued so far (a test can check that none is kept by stackfork, or use one). */
    issuedUserTokens(): string[] {
      return [...userTokens.keys()];
    },
  };
}

function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
