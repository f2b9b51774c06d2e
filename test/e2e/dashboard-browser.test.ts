import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment } from "../../core/environment.ts";
import { createDashboardHarness, DASHBOARD_TOKEN, type DashboardHarness } from "../support/dashboard-harness.ts";
import { launchChromium } from "../support/launch-chromium.ts";
import { seedEnvironment } from "../support/seed-environment.ts";

const shots = path.resolve(import.meta.dirname, "../../test-results/dashboard");
const HOSTILE = `x"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
const REPO = "acme/api";

// The dashboard in a real headless Chromium, against the real app on a real port. Environments are
// seeded straight through the registry port (no worker, no engine); screenshots are test artifacts.
describe("the dashboard in a browser", () => {
  let h: DashboardHarness;
  let baseUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const seeded: Record<string, Environment> = {};
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h = await createDashboardHarness({ repositories: [{ name: REPO }, { name: "acme/web" }] });
    const now = h.now();
    const hour = 3_600_000;
    const later = (hours: number) => new Date(now.getTime() + hours * hour).toISOString();
    seeded.ready = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: REPO, branch: "feature/login" },
      "ready",
      now,
      {
        url: "http://127.0.0.1:45123/",
        commitSha: "c0ffee1234567890c0ffee1234567890c0ffee12",
        lastDeployMs: 41_000,
        expiresAt: later(70),
      },
    );
    seeded.failed = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: REPO, branch: "fix/crash" },
      "failed",
      now,
    );
    seeded.deploying = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: "acme/web", branch: "live-log" },
      "deploying",
      now,
    );
    seeded.queued = await seedEnvironment(
      h.registry,
      { kind: "pull_request", repository: REPO, branch: "feat/pr", pullRequest: 7 },
      "queued",
      now,
    );
    seeded.sandbox = await seedEnvironment(
      h.registry,
      { kind: "sandbox", repository: "acme/web", owner: "octocat", branch: "main" },
      "ready",
      now,
      {
        url: "http://127.0.0.1:45124/",
        commitSha: "1234567abcdef1234567abcdef1234567abcdef1",
        expiresAt: later(3),
      },
    );
    seeded.destroying = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: REPO, branch: "old/thing" },
      "destroying",
      now,
    );
    seeded.awaiting = await seedEnvironment(
      h.registry,
      { kind: "pull_request", repository: REPO, branch: "fork-pr", pullRequest: 9 },
      "awaiting_approval",
      now,
    );
    seeded.hostile = await seedEnvironment(
      h.registry,
      { kind: "branch", repository: REPO, branch: HOSTILE },
      "ready",
      now,
      {
        url: "http://127.0.0.1:45125/",
      },
    );
    await seedEnvironment(h.registry, { kind: "branch", repository: REPO, branch: "gone" }, "destroyed", now);
    const id = seeded.ready.id;
    const events = [
      {
        type: "deploy_requested",
        message: "push to feature/login",
        actor: "octocat",
        deliveryId: "9f1c-delivery",
        jobId: "job-1",
      },
      {
        type: "deploy_started",
        message: "deploying c0ffee1",
        actor: "octocat",
        deliveryId: "9f1c-delivery",
        jobId: "job-1",
      },
      {
        type: "deploy_succeeded",
        message: "ready at http://127.0.0.1:45123/ (create 6)",
        jobId: "job-1",
        durationMs: 41_000,
      },
    ] as const;
    for (const event of events) await h.registry.appendEvent({ environmentId: id, at: now.toISOString(), ...event });
    await h.registry.appendLog(
      id,
      "job-1",
      ["Updating (api-feature-login):", "  + pulumi:pulumi:Stack create", `  + ${HOSTILE}`, "Resources: 6 created"],
      now,
    );
    await h.registry.appendEvent({
      environmentId: seeded.deploying.id,
      at: now.toISOString(),
      type: "deploy_started",
      message: "deploying",
      jobId: "job-live",
    });
    await h.registry.appendLog(seeded.deploying.id, "job-live", ["Updating (web-live-log):"], now);

    baseUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const pwned = () => page.evaluate<number | undefined>("window.__pwned");

  it("lists environments in every state, with status as colour and text, and runs nothing from their names", async () => {
    await page.goto(`${baseUrl}/`);
    expect(await page.title()).toBe("Environments · stackfork");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    const rows = page.locator("table.cards tbody tr");
    expect(await rows.count()).toBe(8); // destroyed is hidden by default
    for (const status of ["ready", "failed", "deploying", "queued", "destroying", "awaiting approval"]) {
      expect(await page.locator("tbody .status", { hasText: status }).count(), status).toBeGreaterThan(0);
    }
    const colour = await page.evaluate<string>(
      `getComputedStyle(document.querySelector("tbody .status-ready")).backgroundColor`,
    );
    expect(colour).toBe("rgb(218, 251, 225)");
    expect(await page.locator(`a[href="https://github.com/acme/api/pull/7"]`).count()).toBe(1);
    expect(await page.locator(`a[href="http://127.0.0.1:45123/"]`).count()).toBe(1);
    expect(await page.getByText(HOSTILE).count()).toBeGreaterThan(0); // printed as text
    expect(await pwned()).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot("list");
  });

  it("filters with the form, by keyboard as well, and shows counts per status", async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByLabel("Status", { exact: true }).selectOption("failed");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=failed/);
    expect(await page.locator("table.cards tbody tr").count()).toBe(1);
    expect(await page.locator("tbody").textContent()).toContain("fix/crash");

    await page.goto(`${baseUrl}/`);
    await page.getByLabel("Search").fill("octo");
    await page.getByLabel("Search").press("Enter");
    await page.waitForURL(/q=octo/);
    // Search matches name, branch and repository: not the owner. Owner has its own filter.
    await page.goto(`${baseUrl}/?owner=octocat`);
    expect(await page.locator("table.cards tbody tr").count()).toBe(1);
    await page.goto(`${baseUrl}/?kind=pull_request`);
    expect(await page.locator("table.cards tbody tr").count()).toBe(2);
    await page.goto(`${baseUrl}/?status=destroyed`);
    expect(await page.locator("table.cards tbody tr").count()).toBe(1);
    await shot("list-destroyed");

    await page.goto(`${baseUrl}/`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string>("document.activeElement?.textContent")).toBe("Skip to content");
    expect(await page.locator('.counts a[aria-label="2 ready"]').count()).toBe(0); // 3 ready: ready, sandbox, hostile
    expect(await page.locator('.counts a[aria-label="3 ready"]').count()).toBe(1);
  });

  it("labels every form control", async () => {
    for (const route of ["/", "/login", `/environments/${seeded.ready?.id}`]) {
      await page.goto(`${baseUrl}${route}`);
      const unlabelled = await page.evaluate<
        string[]
      >(`[...document.querySelectorAll("input:not([type=hidden]), select")]
        .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute("aria-label"))
        .map((el) => el.outerHTML)`);
      expect(unlabelled, route).toEqual([]);
      expect(await page.locator("main").count()).toBe(1);
      expect(await page.locator("h1").count()).toBe(1);
    }
  });

  it("shows the detail page: facts, outputs, the engine log and the history", async () => {
    await page.goto(`${baseUrl}/`);
    const name = seeded.ready?.name ?? "";
    await page.getByRole("link", { name, exact: true }).click();
    await page.waitForURL(new RegExp(`/environments/${name}$`));
    expect(await page.locator("h1").textContent()).toContain(name);
    expect(await page.locator("#log").textContent()).toContain("Resources: 6 created");
    expect(await page.locator("#log").textContent()).toContain(HOSTILE);
    const history = page.locator("section[aria-labelledby=history-heading] tbody tr");
    expect(await history.count()).toBe(3);
    expect(await history.first().textContent()).toContain("deploy_succeeded"); // newest first
    expect(await page.locator("section[aria-labelledby=history-heading]").textContent()).toContain("9f1c-delivery");
    expect(await page.getByRole("link", { name: "Log in" }).count()).toBeGreaterThan(0); // actions need a login
    expect(await pwned()).toBeUndefined();
    await shot("detail-anonymous");
  });

  it("follows a running job live: new engine lines appear, and the page refreshes when it settles", async () => {
    const id = seeded.deploying?.id ?? "";
    await page.goto(`${baseUrl}/environments/${id}`);
    expect(await page.locator("#live-note").textContent()).toBe("Updates live.");
    await h.registry.appendLog(
      id,
      "job-live",
      ["  + aws:dynamodb:Table items creating", "  + live line from the engine"],
      h.now(),
    );
    await page.locator("#log", { hasText: "live line from the engine" }).waitFor({ timeout: 15_000 });
    await h.registry.updateEnvironment(id, { status: "ready", url: "http://127.0.0.1:45126/" }, h.now());
    await page.locator("#status-badge", { hasText: /^ready$/ }).waitFor({ timeout: 15_000 });
    await page.waitForSelector(`a[href="http://127.0.0.1:45126/"]`, { timeout: 15_000 });
    await shot("detail-live");
  });

  it("logs in, then redeploys, extends and destroys from the detail page", async () => {
    const id = seeded.ready?.id ?? "";
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(`/environments/${id}`)}`);
    await shot("login");
    await page.getByLabel("API token").fill("wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    expect(await page.locator(".problem").textContent()).toContain("UNAUTHORIZED");
    await page.getByLabel("API token").fill(DASHBOARD_TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(new RegExp(`/environments/${id}$`));
    const cookies = await browser.context.cookies();
    expect(cookies.find((c) => c.name === "stackfork_session")).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate<string>("document.cookie")).toBe(""); // HttpOnly: out of reach of scripts

    await page.getByRole("button", { name: "Redeploy", exact: true }).click();
    await page.waitForURL(/done=redeploy/);
    expect(await page.locator(".notice").textContent()).toContain("Redeploy queued.");
    expect(await page.locator("#status-badge").textContent()).toBe("queued");
    const requested = (await h.registry.listEvents(id)).at(-1);
    expect(requested).toMatchObject({
      type: "deploy_requested",
      actor: "api-token",
      via: "page",
      commitSha: "c0ffee1234567890c0ffee1234567890c0ffee12",
    });

    await page.getByLabel("Extend expiry by (hours)").fill("5");
    await page.getByRole("button", { name: "Extend", exact: true }).click();
    await page.waitForURL(/done=extend/);
    expect((await h.registry.listEvents(id)).at(-1)).toMatchObject({
      type: "expiry_extended",
      actor: "api-token",
      via: "page",
    });

    await page.getByLabel(/Yes, destroy/).check();
    await page.getByRole("button", { name: "Destroy", exact: true }).click();
    await page.waitForURL(/done=destroy/);
    expect(dialogs.at(-1)).toContain(`Destroy ${seeded.ready?.name}?`);
    expect(await page.locator("#status-badge").textContent()).toBe("destroying");
    await shot("detail-after-destroy");
  });

  it("asks for a sandbox with the form", async () => {
    await page.goto(`${baseUrl}/sandboxes/new`);
    await page.getByLabel("Owner (GitHub login)").fill("hubot");
    await page.getByLabel("Repository", { exact: true }).selectOption(REPO);
    await page.getByLabel("Ref").fill("feature/login");
    await shot("sandbox-form");
    await page.getByRole("button", { name: "Create sandbox" }).click();
    await page.waitForURL(/\/environments\/api-sb-hubot\?done=sandbox/);
    expect(await page.locator("h1").textContent()).toContain("api-sb-hubot");
    expect(await page.locator(".notice").textContent()).toContain("Sandbox requested");
    expect((await h.registry.getEnvironment("api-sb-hubot"))?.owner).toBe("hubot");
  });

  it("fits a phone: no sideways scrolling, one card per environment", async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${baseUrl}/`);
    const overflow = await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    const display = await phone.evaluate<string>(
      `getComputedStyle(document.querySelector("table.cards tbody tr")).display`,
    );
    expect(display).toBe("block");
    await phone.screenshot({ path: path.join(shots, "list-phone.png"), fullPage: true });
    await phone.screenshot({ path: path.join(shots, "list-phone-first-screen.png") });
    await phone.goto(`${baseUrl}/environments/${seeded.sandbox?.id}`);
    expect(
      await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth"),
    ).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: path.join(shots, "detail-phone.png"), fullPage: true });
    await phone.close();
  });
});
