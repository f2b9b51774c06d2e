import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestSecret } from "../access/digest-secret.ts";
import { createDashboardHarness, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../test/support/github-api-double.ts";
import { SESSION_COOKIE } from "./create-request-access.ts";
import { SIGN_IN_STATE_COOKIE } from "./register-github-sign-in-pages.ts";

const CLIENT = { clientId: "Iv1.signin0000000001", clientSecret: "sign-in-test-secret" };

let github: GitHubApiDouble;
let harness: DashboardHarness;

beforeAll(async () => {
  github = await startGitHubApiDouble({ oauthClient: { ...CLIENT, deviceInterval: 1, enforceInterval: false } });
  harness = await createDashboardHarness({
    signIn: { ...CLIENT, webUrl: github.webUrl, apiUrl: github.baseUrl },
  });
});
afterAll(async () => {
  await harness?.close();
  await github?.close();
});

function cookieOf(answer: LightMyRequestResponse, name: string): string | undefined {
  return answer.cookies.find((c) => c.name === name && c.value !== "")?.value;
}

/** Starts a sign-in, and lets GitHub's consent page answer: the callback path and the state cookie. */
async function startSignIn(next = "/") {
  const start = await harness.app.inject(`/login/github?next=${encodeURIComponent(next)}`);
  expect(start.statusCode).toBe(302);
  const authorize = new URL(String(start.headers.location));
  expect(authorize.origin + authorize.pathname).toBe(`${github.webUrl}/login/oauth/authorize`);
  expect(authorize.searchParams.get("client_id")).toBe(CLIENT.clientId);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorize.searchParams.get("redirect_uri")).toMatch(/\/login\/github\/callback$/);
  const stateCookie = cookieOf(start, SIGN_IN_STATE_COOKIE);
  expect(stateCookie).toBeDefined();
  const consent = await fetch(authorize, { redirect: "manual" });
  const back = new URL(String(consent.headers.get("location")));
  return { callback: `${back.pathname}${back.search}`, back, stateCookie: String(stateCookie) };
}

describe("sign-in with GitHub, the web flow", () => {
  it("signs a person in: state and PKCE checked, a person session in the cookie, the user token kept nowhere", async () => {
    github.signInAs("mona");
    const { callback, back, stateCookie } = await startSignIn("/?kind=sandbox");
    expect(back.searchParams.get("code")).toBeTruthy();
    const answer = await harness.app.inject({ url: callback, cookies: { [SIGN_IN_STATE_COOKIE]: stateCookie } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers.refresh).toBe("0;url=/?kind=sandbox");
    expect(answer.body).toContain("mona");
    const secret = cookieOf(answer, SESSION_COOKIE);
    expect(secret).toBeDefined();
    const session = await harness.registry.readPersonSession(digestSecret(String(secret)), harness.now());
    expect(session).toMatchObject({ login: "mona", via: "page" });
    // The code exchange sent the PKCE verifier, and the user token went no further than GET /user.
    const exchange = github.requestsTo("POST", "/login/oauth/access_token").at(-1);
    expect(exchange?.body).toMatchObject({ code_verifier: expect.any(String), client_id: CLIENT.clientId });
    const [userToken] = github.issuedUserTokens().slice(-1);
    expect(userToken).toMatch(/^gho_/);
    // Not in the registry's files (the database and its write-ahead log), nor in the answer.
    const stored = readdirSync(harness.dir)
      .filter((f) => f.startsWith("registry.db"))
      .map((f) => readFileSync(path.join(harness.dir, f)));
    expect(stored.some((bytes) => bytes.includes(digestSecret(String(secret))))).toBe(true);
    expect(stored.some((bytes) => bytes.includes(String(userToken)))).toBe(false);
    expect(JSON.stringify(answer.headers) + answer.body).not.toContain(String(userToken));
  });

  it("refuses a replayed code, a forged state and a missing state, and starts no session", async () => {
    github.signInAs("mona");
    const { callback, back, stateCookie } = await startSignIn();
    const first = await harness.app.inject({ url: callback, cookies: { [SIGN_IN_STATE_COOKIE]: stateCookie } });
    expect(first.statusCode).toBe(200);

    const replay = await harness.app.inject({ url: callback, cookies: { [SIGN_IN_STATE_COOKIE]: stateCookie } });
    expect(replay.statusCode).toBe(403);
    expect(replay.body).toContain("SIGN_IN_REFUSED");
    expect(replay.body).toContain("bad_verification_code");
    expect(cookieOf(replay, SESSION_COOKIE)).toBeUndefined();

    const fresh = await startSignIn();
    const exchanges = () => github.requestsTo("POST", "/login/oauth/access_token").length;
    const before = exchanges();
    const forged = new URL(fresh.back.href);
    forged.searchParams.set("state", "forged-state");
    const refused = await harness.app.inject({
      url: `${forged.pathname}${forged.search}`,
      cookies: { [SIGN_IN_STATE_COOKIE]: fresh.stateCookie },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("SIGN_IN_REFUSED");
    expect(cookieOf(refused, SESSION_COOKIE)).toBeUndefined();

    // Another browser (no state cookie) bringing a good code and state along: refused too.
    const stray = await harness.app.inject(fresh.callback);
    expect(stray.statusCode).toBe(403);
    expect(cookieOf(stray, SESSION_COOKIE)).toBeUndefined();
    // Refused before GitHub was asked: the code is still good for the browser that started.
    expect(exchanges()).toBe(before);
    const rightful = await harness.app.inject({
      url: fresh.callback,
      cookies: { [SIGN_IN_STATE_COOKIE]: fresh.stateCookie },
    });
    expect(rightful.statusCode).toBe(200);
    expect(back.searchParams.get("code")).not.toBe(fresh.back.searchParams.get("code"));
  });

  it("sends GitHub back to STACKFORK_PUBLIC_URL's callback when it is set, whatever the Host", async () => {
    const behindProxy = await createDashboardHarness({
      signIn: { ...CLIENT, webUrl: github.webUrl, apiUrl: github.baseUrl, publicUrl: "https://stackfork.acme.dev" },
    });
    try {
      const start = await behindProxy.app.inject({ url: "/login/github", headers: { host: "10.0.0.7:8080" } });
      const authorize = new URL(String(start.headers.location));
      expect(authorize.searchParams.get("redirect_uri")).toBe("https://stackfork.acme.dev/login/github/callback");
      const direct = await harness.app.inject({ url: "/login/github", headers: { host: "127.0.0.1:8080" } });
      expect(new URL(String(direct.headers.location)).searchParams.get("redirect_uri")).toBe(
        "http://127.0.0.1:8080/login/github/callback",
      );
    } finally {
      await behindProxy.close();
    }
  });

  it("says how to turn sign-in on when it is off, and offers it when on", async () => {
    const on = await harness.app.inject("/login");
    expect(on.body).toContain('id="sign-in-github"');
    const off = await createDashboardHarness();
    try {
      const page = await off.app.inject("/login");
      expect(page.body).toContain("GITHUB_OAUTH_CLIENT_ID");
      expect(page.body).not.toContain('id="sign-in-github"');
      const start = await off.app.inject("/login/github");
      expect(start.statusCode).toBe(404);
      expect(start.body).toContain("SIGN_IN_OFF");
    } finally {
      await off.close();
    }
  });
});

describe("stackfork login's server side, the device flow", () => {
  it("hands out a code, answers pending and slow_down, then a person token for the CLI", async () => {
    const started = await harness.app.inject({ method: "POST", url: "/api/login/device" });
    expect(started.statusCode).toBe(200);
    const code = started.json() as { deviceCode: string; userCode: string; verificationUri: string; interval: number };
    expect(code.verificationUri).toBe(`${github.webUrl}/login/device`);
    const poll = () =>
      harness.app.inject({ method: "POST", url: "/api/login/device/token", payload: { deviceCode: code.deviceCode } });

    expect((await poll()).json()).toEqual({ status: "pending" });
    github.slowDownNextPoll();
    expect((await poll()).json()).toEqual({ status: "slow_down", interval: 6 });

    github.approveDevice(code.userCode, "hubot");
    const done = (await poll()).json() as { status: string; login: string; token: string; expiresAt: string };
    expect(done).toMatchObject({ status: "signed_in", login: "hubot" });
    const session = await harness.registry.readPersonSession(digestSecret(done.token), harness.now());
    expect(session).toMatchObject({ login: "hubot", via: "cli", expiresAt: done.expiresAt });

    // Logout ends it at once.
    const out = await harness.app.inject({
      method: "POST",
      url: "/api/logout",
      headers: { authorization: `Bearer ${done.token}` },
    });
    expect(out.statusCode).toBe(204);
    expect(await harness.registry.readPersonSession(digestSecret(done.token), harness.now())).toBeUndefined();
  });

  it("refuses a declined code with SIGN_IN_REFUSED", async () => {
    const code = (await harness.app.inject({ method: "POST", url: "/api/login/device" })).json() as {
      deviceCode: string;
      userCode: string;
    };
    github.denyDevice(code.userCode);
    const answer = await harness.app.inject({
      method: "POST",
      url: "/api/login/device/token",
      payload: { deviceCode: code.deviceCode },
    });
    expect(answer.statusCode).toBe(403);
    expect(answer.json().error.code).toBe("SIGN_IN_REFUSED");
  });
});
