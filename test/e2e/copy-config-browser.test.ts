import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../../core/environment.ts";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../support/dashboard-harness.ts";
import { launchChromium } from "../support/launch-chromium.ts";
import { seedEnvironment } from "../support/seed-environment.ts";

const shots = path.resolve(import.meta.dirname, "../../test-results/dashboard");
const HOSTILE = `x"><script>window.__pwned=1</script>`;

// The environment page's Config section (issue 19) in a real headless Chromium, against the real app
// on a real port: the config with its sources and masked secrets, then a value set from the form.
describe("a copy's config in a browser", () => {
  let h: DashboardHarness;
  let baseUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let env: Environment;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }] });
    env = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/api", branch: "config" },
      "ready",
      h.now(),
      {
        commitSha: "c0ffee1234567890c0ffee1234567890c0ffee12",
      },
    );
    await h.registry.saveEffectiveConfig(
      env.id,
      [
        { key: "acme-api:apiKey", value: "[secret]", secret: true, source: "template" },
        { key: "acme-api:logLevel", value: "debug", secret: false, source: "platform" },
        { key: "acme-api:motd", value: HOSTILE, secret: false, source: "repository" },
      ],
      h.now(),
    );
    await h.registry.appendEvent({
      environmentId: env.id,
      at: h.now().toISOString(),
      type: "seed_started",
      message: "seeding",
    });
    baseUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("shows each key's value and source, secrets masked, and sets a secret value from the form (which redeploys)", async () => {
    await page.goto(`${baseUrl}/environments/${env.id}`);
    const rows = page.locator("#copy-config tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await page.locator('tr[data-key="acme-api:apiKey"]').textContent()).toMatch(/\[secret\]\s*template/);
    expect(await page.locator('tr[data-key="acme-api:logLevel"]').textContent()).toContain("platform override");
    expect(await page.locator('tr[data-key="acme-api:motd"]').textContent()).toContain(HOSTILE); // text, never markup
    expect(await page.evaluate<number | undefined>("window.__pwned")).toBeUndefined();
    expect(await page.getByRole("button", { name: "Set and redeploy" }).count()).toBe(0); // needs a login

    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(`/environments/${env.id}`)}`);
    await page.getByLabel("API token").fill(DASHBOARD_TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(new RegExp(`/environments/${env.id}$`));
    await page.getByLabel("Key").fill("paymentKey");
    await page.getByLabel("Value").fill("sk_test_preview_41");
    await page.getByLabel("Secret").check();
    await page.getByRole("button", { name: "Set and redeploy" }).click();
    await page.waitForURL(/done=config/);
    expect(await page.locator(".notice").textContent()).toContain("Config value saved; redeploy queued.");
    expect(await page.locator('tr[data-key="acme-api:paymentKey"]').textContent()).toMatch(
      /\[secret\]\s*this environment/,
    );
    expect(await page.content()).not.toContain("sk_test_preview_41");
    expect((await h.registry.listEvents(env.id)).at(-1)).toMatchObject({
      type: "deploy_requested",
      actor: "api-token",
      via: "page",
    });
    await page.screenshot({ path: path.join(shots, "copy-config.png"), fullPage: true });

    await page.getByRole("button", { name: "Reseed" }).click();
    await page.waitForURL(/done=reseed/);
    expect((await h.registry.listEvents(env.id)).map((e) => e.type)).toContain("seed_requested");
  });
});
