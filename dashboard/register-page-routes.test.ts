import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errorCatalogue, StackforkError } from "../core/errors.ts";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;

type Cookies = Record<string, string>;

function cookieHeader(cookies: Cookies): string {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}

function setCookies(response: { headers: Record<string, unknown> }): string[] {
  const value = response.headers["set-cookie"];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match?.[1]) throw new Error("no CSRF token in the page");
  return match[1];
}

async function login(h: DashboardHarness): Promise<{ cookies: Cookies; csrf: string }> {
  const form = await h.app.inject("/login");
  const nonce = /stackfork_login=([^;]+)/.exec(setCookies(form).join("\n"))?.[1] ?? "";
  const response = await h.app.inject({
    method: "POST",
    url: "/login",
    headers: { cookie: `stackfork_login=${nonce}` },
    payload: { token: DASHBOARD_TOKEN, _csrf: csrfOf(form.body), next: "/" },
  });
  expect(response.statusCode).toBe(303);
  const session = /stackfork_session=([^;]+)/.exec(setCookies(response).join("\n"))?.[1] ?? "";
  const cookies = { stackfork_session: session };
  const page = await h.app.inject({ url: "/sandboxes/new", headers: { cookie: cookieHeader(cookies) } });
  return { cookies, csrf: csrfOf(page.body) };
}

describe("the dashboard pages", () => {
  let h: DashboardHarness;
  beforeEach(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }, { name: "acme/web" }] });
  });
  afterEach(async () => h.close());

  describe("the list", () => {
    it("prints hostile branch names as text, never as markup", async () => {
      await seedEnvironment(h.registry, { kind: "branch", repository: "acme/api", branch: HOSTILE }, "ready", h.now(), {
        url: "http://127.0.0.1:4000/",
        commitSha: "b".repeat(40),
      });
      const page = await h.app.inject("/");
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.body).not.toContain("<script>alert");
      expect(page.body).not.toContain("<img src=x");
      expect(page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      // The GitHub link percent-encodes the branch, so it cannot leave the attribute or the path.
      expect(page.body).toContain("https://github.com/acme/api/tree/%22%3E%3Cscript%3E");
      expect(page.body).toMatch(/<html lang="en">/);
      expect(page.body).toContain('<main id="main"');
      expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    });

    it("shows every column: kind, links to GitHub, owner, status text, preview, commit, age, deploy time, expiry", async () => {
      const now = h.now();
      await seedEnvironment(
        h.registry,
        { kind: "branch", repository: "acme/api", branch: "feature/login" },
        "ready",
        now,
        {
          url: "http://127.0.0.1:4000/",
          commitSha: "c0ffee1234567890c0ffee1234567890c0ffee12",
          lastDeployMs: 72_000,
          expiresAt: new Date(now.getTime() + 26 * 3_600_000).toISOString(),
        },
      );
      await seedEnvironment(
        h.registry,
        { kind: "pull_request", repository: "acme/api", branch: "fix", pullRequest: 42 },
        "failed",
        now,
      );
      await seedEnvironment(
        h.registry,
        { kind: "sandbox", repository: "acme/web", owner: "octocat", branch: "main" },
        "deploying",
        now,
      );
      const body = (await h.app.inject("/")).body;
      expect(body).toContain('href="https://github.com/acme/api/tree/feature/login"');
      expect(body).toContain('href="https://github.com/acme/api/pull/42"');
      expect(body).toContain('href="https://github.com/acme/api/commit/c0ffee1234567890c0ffee1234567890c0ffee12"');
      expect(body).toContain("<code>c0ffee1</code>");
      expect(body).toContain('href="http://127.0.0.1:4000/"');
      expect(body).toContain("1 min 12 s");
      expect(body).toContain("in 26 h");
      expect(body).toMatch(/class="status status-failed"[^>]*>failed</);
      expect(body).toMatch(/class="status status-deploying"[^>]*>deploying</);
      expect(body).toContain(">octocat<");
      expect(body).toMatch(/<code title="the update failed">DEPLOY_FAILED<\/code>/);
    });

    it("filters by status, kind, repository, owner and search, and counts per status", async () => {
      const now = h.now();
      await seedEnvironment(h.registry, { kind: "branch", repository: "acme/api", branch: "alpha" }, "ready", now);
      await seedEnvironment(h.registry, { kind: "branch", repository: "acme/api", branch: "beta" }, "failed", now);
      await seedEnvironment(h.registry, { kind: "branch", repository: "acme/web", branch: "gamma" }, "ready", now);
      await seedEnvironment(
        h.registry,
        { kind: "sandbox", repository: "acme/web", owner: "octocat", branch: "main" },
        "ready",
        now,
      );
      const names = async (query: string) =>
        [
          ...(await h.app.inject(`/${query}`)).body.matchAll(
            /<td data-label="Name" class="long"><a href="[^"]+">([^<]+)</g,
          ),
        ]
          .map((m) => m[1])
          .sort();
      expect(await names("?status=failed")).toEqual(["api-beta"]);
      expect(await names("?kind=sandbox")).toEqual(["web-sb-octocat"]);
      expect(await names("?repository=acme%2Fweb")).toEqual(["web-gamma", "web-sb-octocat"]);
      expect(await names("?owner=OctoCat")).toEqual(["web-sb-octocat"]);
      expect(await names("?q=alp")).toEqual(["api-alpha"]);
      expect(await names("?status=bogus")).toHaveLength(4); // an unknown value is ignored, not an error
      const body = (await h.app.inject("/")).body;
      expect(body).toContain('aria-label="3 ready"');
      expect(body).toContain('aria-label="1 failed"');
      expect(body).toContain("(4 in all)");
    });

    it("pages with a cursor, keeping the filters", async () => {
      for (let i = 0; i < 60; i++) {
        h.advance(1000);
        await seedEnvironment(
          h.registry,
          { kind: "branch", repository: "acme/api", branch: `b-${i}` },
          "ready",
          h.now(),
        );
      }
      const first = (await h.app.inject("/?repository=acme%2Fapi")).body;
      expect(first.match(/data-label="Name"/g)).toHaveLength(50);
      const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&");
      expect(next).toContain("repository=acme%2Fapi");
      const second = (await h.app.inject(next ?? "")).body;
      expect(second.match(/data-label="Name"/g)).toHaveLength(10);
      expect(second).not.toContain('rel="next"');
      expect(second).toContain("First page");
      expect((await h.app.inject("/?cursor=garbage")).statusCode).toBe(200);
    });
  });

  describe("the detail page", () => {
    it("shows facts, the masked URL, the log of the last job and the whole history", async () => {
      const env = await seedEnvironment(
        h.registry,
        { kind: "branch", repository: "acme/api", branch: HOSTILE },
        "ready",
        h.now(),
        {
          url: "https://user:hunter2@preview.example/?token=s3cret&page=1",
        },
      );
      await h.registry.appendEvent({
        environmentId: env.id,
        at: h.now().toISOString(),
        type: "deploy_requested",
        message: `push to ${HOSTILE}`,
        actor: "octocat",
        deliveryId: "d-123",
        jobId: "job-7",
      });
      await h.registry.appendEvent({
        environmentId: env.id,
        at: h.now().toISOString(),
        type: "deploy_failed",
        message: "boom",
        jobId: "job-7",
        durationMs: 5000,
        errorCode: "DEPLOY_FAILED",
      });
      await h.registry.appendLog(env.id, "job-7", ["+ create stack", `<b>${HOSTILE}</b>`], h.now());
      await h.registry.updateEnvironment(
        env.id,
        { outputs: { tableName: "api-items", apiKey: "[secret]", note: "<i>x</i>" } },
        h.now(),
      );
      const page = await h.app.inject(`/environments/${env.id}`);
      expect(page.statusCode).toBe(200);
      const body = page.body;
      expect(body).not.toContain("hunter2");
      expect(body).not.toContain("s3cret");
      expect(body).toContain("page=1");
      // Every output: plain values shown (escaped), secret ones only said to exist.
      expect(body).toContain("<dt>tableName</dt><dd><code>api-items</code></dd>");
      expect(body).toContain('<dt>apiKey</dt><dd><span class="muted">secret (hidden)</span></dd>');
      expect(body).toContain("&lt;i&gt;x&lt;/i&gt;");
      expect(body).not.toContain("<script>alert");
      expect(body).toContain("+ create stack");
      expect(body).toContain("&lt;b&gt;");
      expect(body).toContain("Engine log of job <code>job-7</code>");
      for (const text of [
        "deploy_requested",
        "deploy_failed",
        "octocat",
        "d-123",
        "5 s",
        "<code>DEPLOY_FAILED</code>",
      ]) {
        expect(body).toContain(text);
      }
      expect(body).toContain('data-live-environment="');
      // Anonymous on loopback: it may read, but the actions ask to log in.
      expect(body).toContain(`/login?next=%2Fenvironments%2F${env.id}`);
      expect(body).not.toContain('action="/environments/');
      expect((await h.app.inject("/environments/nope")).statusCode).toBe(404);
    });
  });

  describe("login, sessions and CSRF", () => {
    it("sets an HttpOnly, SameSite=Strict session cookie for the right token only", async () => {
      const form = await h.app.inject("/login");
      const loginCookie = setCookies(form).find((c) => c.startsWith("stackfork_login="));
      expect(loginCookie).toMatch(/HttpOnly/);
      expect(loginCookie).toMatch(/SameSite=Strict/);
      const nonce = /stackfork_login=([^;]+)/.exec(loginCookie ?? "")?.[1];
      const send = (payload: Record<string, string>, cookie = `stackfork_login=${nonce}`) =>
        h.app.inject({ method: "POST", url: "/login", headers: { cookie }, payload });

      const wrong = await send({ token: "nope", _csrf: csrfOf(form.body) });
      expect(wrong.statusCode).toBe(401);
      expect(setCookies(wrong).some((c) => c.startsWith("stackfork_session="))).toBe(false);

      const noCsrf = await send({ token: DASHBOARD_TOKEN });
      expect(noCsrf.statusCode).toBe(403);
      const otherNonce = await send({ token: DASHBOARD_TOKEN, _csrf: csrfOf(form.body) }, "stackfork_login=forged");
      expect(otherNonce.statusCode).toBe(403);

      const fresh = await h.app.inject("/login");
      const freshNonce = /stackfork_login=([^;]+)/.exec(setCookies(fresh).join("\n"))?.[1];
      const ok = await send(
        { token: DASHBOARD_TOKEN, _csrf: csrfOf(fresh.body), next: "//evil.example/" },
        `stackfork_login=${freshNonce}`,
      );
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe("/?done=login"); // never off-site
      // Browsers strip a tab from a URL: `/%09/evil.example` would become `//evil.example`.
      for (const next of ["/%09/evil.example", "/%5C/evil.example", "/.//evil.example"]) {
        const again = await h.app.inject("/login");
        const againNonce = /stackfork_login=([^;]+)/.exec(setCookies(again).join("\n"))?.[1];
        const sent = await send(
          { token: DASHBOARD_TOKEN, _csrf: csrfOf(again.body), next },
          `stackfork_login=${againNonce}`,
        );
        expect(sent.headers.location, next).toBe("/?done=login");
      }
      const session = setCookies(ok).find((c) => c.startsWith("stackfork_session="));
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Strict/);
      expect(session).toMatch(/Path=\//);
      expect(session).toMatch(/Max-Age=43200/);
    });

    it("needs a session and that session's CSRF token for every form change", async () => {
      const env = await seedEnvironment(
        h.registry,
        { kind: "branch", repository: "acme/api", branch: "x" },
        "ready",
        h.now(),
        {
          commitSha: "d".repeat(40),
        },
      );
      const url = `/environments/${env.id}/redeploy`;
      const anonymous = await h.app.inject({ method: "POST", url, payload: { _csrf: "x" } });
      expect(anonymous.statusCode).toBe(401);

      const a = await login(h);
      const b = await login(h);
      const send = (cookies: Cookies, payload: Record<string, string>) =>
        h.app.inject({ method: "POST", url, headers: { cookie: cookieHeader(cookies) }, payload });
      const missing = await send(a.cookies, {});
      expect(missing.statusCode).toBe(403);
      expect(missing.body).toContain("CSRF_INVALID");
      expect((await send(a.cookies, { _csrf: "forged" })).statusCode).toBe(403);
      expect((await send(a.cookies, { _csrf: b.csrf })).statusCode).toBe(403); // another session's token
      expect(await h.queue.listPending()).toEqual([]);

      const ok = await send(a.cookies, { _csrf: a.csrf });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe(`/environments/${env.id}?done=redeploy`);
      expect((await h.registry.listEvents(env.id)).at(-1)).toMatchObject({
        type: "deploy_requested",
        actor: "api-token",
        via: "page",
      });
      const detail = await h.app.inject({
        url: ok.headers.location as string,
        headers: { cookie: cookieHeader(a.cookies) },
      });
      expect(detail.body).toContain("Redeploy queued.");
      expect(detail.body).toContain(`action="/environments/${env.id}/destroy"`);
    });

    it("extends and destroys from the detail page's forms", async () => {
      const env = await seedEnvironment(
        h.registry,
        { kind: "branch", repository: "acme/api", branch: "x" },
        "ready",
        h.now(),
        {
          expiresAt: new Date(h.now().getTime() + 3_600_000).toISOString(),
        },
      );
      const { cookies, csrf } = await login(h);
      const send = (action: string, payload: Record<string, string>) =>
        h.app.inject({
          method: "POST",
          url: `/environments/${env.id}/${action}`,
          headers: { cookie: cookieHeader(cookies) },
          payload,
        });
      expect((await send("extend", { _csrf: csrf, hours: "0" })).statusCode).toBe(400);
      expect((await send("extend", { _csrf: csrf, hours: "48" })).statusCode).toBe(303);
      expect((await h.registry.getEnvironment(env.id))?.expiresAt).toBe(
        new Date(h.now().getTime() + 49 * 3_600_000).toISOString(),
      );
      expect((await send("destroy", { _csrf: csrf, confirm: "yes" })).statusCode).toBe(303);
      expect((await h.registry.getEnvironment(env.id))?.status).toBe("destroying");
    });

    it("logs out only with the CSRF token, clearing the cookie", async () => {
      const { cookies, csrf } = await login(h);
      const refused = await h.app.inject({
        method: "POST",
        url: "/logout",
        headers: { cookie: cookieHeader(cookies) },
        payload: {},
      });
      expect(refused.statusCode).toBe(403);
      const out = await h.app.inject({
        method: "POST",
        url: "/logout",
        headers: { cookie: cookieHeader(cookies) },
        payload: { _csrf: csrf },
      });
      expect(out.statusCode).toBe(303);
      expect(setCookies(out).find((c) => c.startsWith("stackfork_session="))).toMatch(/Expires=Thu, 01 Jan 1970/);
    });

    it("revokes the session on the server at logout: its cookie, replayed, neither reads nor changes", async () => {
      const closed = await createDashboardHarness({ readsOpen: false });
      try {
        const env = await seedEnvironment(
          closed.registry,
          { kind: "branch", repository: "acme/api", branch: "x" },
          "ready",
          closed.now(),
          { commitSha: "d".repeat(40) },
        );
        const { cookies, csrf } = await login(closed);
        const other = await login(closed);
        const read = (c: Cookies, url = "/") => closed.app.inject({ url, headers: { cookie: cookieHeader(c) } });
        expect((await read(cookies)).statusCode).toBe(200);
        const out = await closed.app.inject({
          method: "POST",
          url: "/logout",
          headers: { cookie: cookieHeader(cookies) },
          payload: { _csrf: csrf },
        });
        expect(out.statusCode).toBe(303);

        // The browser dropped the cookie; a copy of it (a stolen one) is worth nothing now.
        expect((await read(cookies)).statusCode).toBe(303);
        expect((await read(cookies, "/api/environments")).statusCode).toBe(401);
        const change = await closed.app.inject({
          method: "POST",
          url: `/environments/${env.id}/redeploy`,
          headers: { cookie: cookieHeader(cookies) },
          payload: { _csrf: csrf },
        });
        expect(change.statusCode).toBe(401);
        expect(await closed.queue.listPending()).toEqual([]);
        // Other sessions go on.
        expect((await read(other.cookies)).statusCode).toBe(200);
      } finally {
        await closed.close();
      }
    });

    it("marks the session cookie Secure behind TLS: a trusted proxy's X-Forwarded-Proto, or always on a Function URL", async () => {
      const sessionCookieOf = async (harness: DashboardHarness, headers: Record<string, string>) => {
        const form = await harness.app.inject({ url: "/login", headers });
        const nonce = /stackfork_login=([^;]+)/.exec(setCookies(form).join("\n"))?.[1] ?? "";
        const response = await harness.app.inject({
          method: "POST",
          url: "/login",
          headers: { ...headers, cookie: `stackfork_login=${nonce}` },
          payload: { token: DASHBOARD_TOKEN, _csrf: csrfOf(form.body), next: "/" },
        });
        expect(response.statusCode).toBe(303);
        return setCookies(response).find((c) => c.startsWith("stackfork_session=")) ?? "";
      };
      const proxied = await createDashboardHarness({ trustProxy: true });
      const lambda = await createDashboardHarness({ httpsOnly: true });
      try {
        const https = { "x-forwarded-proto": "https" };
        expect(await sessionCookieOf(proxied, https)).toMatch(/; Secure/);
        expect(await sessionCookieOf(proxied, {})).not.toMatch(/; Secure/);
        // Not trusted: anyone may send the header, and plain http on loopback must still work.
        expect(await sessionCookieOf(h, https)).not.toMatch(/; Secure/);
        expect(await sessionCookieOf(lambda, {})).toMatch(/; Secure/);
      } finally {
        await proxied.close();
        await lambda.close();
      }
    });

    it("sends readers to the login form when reads are closed", async () => {
      const closed = await createDashboardHarness({ readsOpen: false });
      try {
        const page = await closed.app.inject("/?status=ready");
        expect(page.statusCode).toBe(303);
        expect(page.headers.location).toBe("/login?next=%2F%3Fstatus%3Dready");
        const { cookies } = await login(closed);
        expect((await closed.app.inject({ url: "/", headers: { cookie: cookieHeader(cookies) } })).statusCode).toBe(
          200,
        );
        expect(
          (await closed.app.inject({ url: "/api/environments", headers: { cookie: cookieHeader(cookies) } }))
            .statusCode,
        ).toBe(200);
      } finally {
        await closed.close();
      }
    });
  });

  describe("the sandbox form", () => {
    it("creates a sandbox and shows it; a bad owner re-renders the form with the problem, escaped", async () => {
      const { cookies, csrf } = await login(h);
      const send = (payload: Record<string, string>) =>
        h.app.inject({ method: "POST", url: "/sandboxes", headers: { cookie: cookieHeader(cookies) }, payload });
      const bad = await send({ _csrf: csrf, owner: HOSTILE, repository: "acme/api", ref: "" });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain("INVALID_INPUT");
      expect(bad.body).not.toContain("<script>alert");
      expect(bad.body).toContain('value="&quot;&gt;&lt;script&gt;');

      const ok = await send({ _csrf: csrf, owner: "octocat", repository: "acme/web", ref: "feature/x" });
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe("/environments/web-sb-octocat?done=sandbox");
      const env = await h.registry.getEnvironment("web-sb-octocat");
      expect(env).toMatchObject({ kind: "sandbox", owner: "octocat", branch: "feature/x", status: "queued" });
      expect((await h.registry.listEvents("web-sb-octocat"))[0]).toMatchObject({ actor: "api-token", via: "page" });
    });
  });
});

describe("the list page's reconciliation with GitHub", () => {
  it("shows when each repository was last reconciled and what it changed, escaped", async () => {
    const h = await createDashboardHarness({
      reconciler: {
        reconcile: async () => {
          throw new Error("not called");
        },
        readStatus: async () => ({
          repositories: [
            {
              repository: "acme/api",
              lastAttemptAt: "2026-11-27T11:55:00.000Z",
              lastSuccessAt: "2026-11-27T11:55:00.000Z",
              lastChangedAt: "2026-11-27T11:00:00.000Z",
              lastChanges: [
                {
                  kind: "branch_deleted",
                  action: "destroy",
                  environment: "api-gone",
                  branch: "gone",
                  reason: "reconciled: branch deleted",
                  outcome: "queued",
                },
                { kind: "new_branch", action: "deploy", branch: HOSTILE, reason: "reconciled: new branch" },
              ],
            },
          ],
          behind: [],
          redeliveries: [],
        }),
      },
    });
    try {
      const body = (await h.app.inject("/")).body;
      expect(body).toContain("Reconciled with GitHub");
      expect(body).toMatch(/acme\/api<\/strong>: reconciled <time datetime="2026-11-27T11:55:00.000Z"/);
      expect(body).toContain('<a href="/environments/api-gone">api-gone</a>');
      expect(body).toContain("(branch deleted)");
      expect(body).not.toContain("<script>alert(1)");
    } finally {
      await h.close();
    }
  });
});

describe("the pages' errors", () => {
  it("show an error's message only when its code is visible, as the API does", async () => {
    const hidden = new StackforkError("LEASE_LOST", "job j-1 taken by worker@build-17.internal");
    const h = await createDashboardHarness({
      reconciler: {
        reconcile: async () => {
          throw new Error("not called");
        },
        readStatus: async () => {
          throw hidden;
        },
      },
    });
    try {
      const page = await h.app.inject("/");
      expect(page.statusCode).toBe(409);
      expect(page.body).toContain("LEASE_LOST");
      expect(page.body).not.toContain(hidden.message);
      expect(page.body).toContain(errorCatalogue.LEASE_LOST.summary);
    } finally {
      await h.close();
    }
  });
});
