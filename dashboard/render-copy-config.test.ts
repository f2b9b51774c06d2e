import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../test/support/dashboard-harness.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";

const HOSTILE = `"><script>alert(1)</script>`;

function cookiesOf(response: { headers: Record<string, unknown> }): string {
  const value = response.headers["set-cookie"];
  return (Array.isArray(value) ? value : typeof value === "string" ? [value] : []).join("\n");
}
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "";

async function login(h: DashboardHarness): Promise<{ cookie: string; csrf: string }> {
  const form = await h.app.inject("/login");
  const nonce = /stackfork_login=([^;]+)/.exec(cookiesOf(form))?.[1] ?? "";
  const response = await h.app.inject({
    method: "POST",
    url: "/login",
    headers: { cookie: `stackfork_login=${nonce}` },
    payload: { token: DASHBOARD_TOKEN, _csrf: csrfOf(form.body), next: "/" },
  });
  const cookie = `stackfork_session=${/stackfork_session=([^;]+)/.exec(cookiesOf(response))?.[1] ?? ""}`;
  const page = await h.app.inject({ url: "/sandboxes/new", headers: { cookie } });
  return { cookie, csrf: csrfOf(page.body) };
}

// The environment page's Config section and its forms (issue 19), through the real routes and registry.
describe("a copy's config on the dashboard", () => {
  let h: DashboardHarness;
  beforeEach(async () => {
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }] });
  });
  afterEach(async () => h.close());

  it("shows each key with its source, secrets masked, hostile values as text; and the API's config field agrees", async () => {
    const env = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "x" },
      "ready",
      h.now(),
      {
        commitSha: "d".repeat(40),
      },
    );
    await h.registry.saveEffectiveConfig(
      env.id,
      [
        { key: "acme-api:apiKey", value: "[secret]", secret: true, source: "template" },
        { key: "acme-api:logLevel", value: HOSTILE, secret: false, source: "platform" },
      ],
      h.now(),
    );
    await h.registry.putConfigOverride(
      env.id,
      { key: "acme-api:token", value: "hidden-value-91", secret: true },
      h.now(),
    );
    const page = await h.app.inject(`/environments/${env.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="copy-config"');
    expect(page.body).toMatch(
      /<code>acme-api:apiKey<\/code><\/td>\s*<td data-label="Value"><span class="muted">\[secret\]<\/span>/,
    );
    expect(page.body).toContain("this environment");
    expect(page.body).not.toContain("hidden-value-91");
    expect(page.body).not.toContain("<script>alert(1)");

    const api = (await h.app.inject(`/api/environments/${env.id}`)).json() as { config: unknown[] };
    expect(api.config).toEqual([
      { key: "acme-api:apiKey", value: "[secret]", secret: true, source: "template" },
      { key: "acme-api:logLevel", value: HOSTILE, secret: false, source: "platform" },
      { key: "acme-api:token", value: "[secret]", secret: true, source: "environment" },
    ]);
  });

  it("sets a value from the form (qualified with the project, secret kept secret) and queues a redeploy; reseed asks for the seed again", async () => {
    const env = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "x" },
      "ready",
      h.now(),
      {
        commitSha: "d".repeat(40),
      },
    );
    const url = `/environments/${env.id}/config`;
    expect((await h.app.inject({ method: "POST", url, payload: { key: "a", value: "b" } })).statusCode).toBe(401);
    const { cookie, csrf } = await login(h);
    const set = await h.app.inject({
      method: "POST",
      url,
      headers: { cookie },
      payload: { _csrf: csrf, key: "memorySize", value: "256", secret: "yes" },
    });
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe(`/environments/${env.id}?done=config`);
    expect(await h.registry.listConfigOverrides(env.id)).toEqual([
      { key: "acme-api:memorySize", value: "256", secret: true },
    ]);
    expect(await h.queue.listPending()).toMatchObject([{ type: "deploy", commitSha: "d".repeat(40) }]);

    const bad = await h.app.inject({
      method: "POST",
      url,
      headers: { cookie },
      payload: { _csrf: csrf, key: "no spaces", value: "" },
    });
    expect(bad.statusCode).toBe(400);

    const reseed = await h.app.inject({
      method: "POST",
      url: `/environments/${env.id}/reseed`,
      headers: { cookie },
      payload: { _csrf: csrf },
    });
    expect(reseed.statusCode).toBe(303);
    expect((await h.registry.listEvents(env.id)).map((e) => e.type)).toContain("seed_requested");
    const page = await h.app.inject({ url: `/environments/${env.id}`, headers: { cookie } });
    expect(page.body).toContain(`action="/environments/${env.id}/reseed"`);
  });
});
