import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHarness, type DashboardHarness } from "../support/dashboard-harness.ts";
import { launchChromium } from "../support/launch-chromium.ts";
import { seedCost } from "../support/seed-cost.ts";
import { seedEnvironment } from "../support/seed-environment.ts";

const shots = path.resolve(import.meta.dirname, "../../test-results/dashboard-cost");

// The cost column, totals, chart and platform page in a real headless Chromium against the real
// app on a real port; costs saved through the registry's cost store. Screenshots are artifacts.
describe("cost on the dashboard, in a browser", () => {
  let h: DashboardHarness;
  let baseUrl: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h = await createDashboardHarness({ repositories: [{ name: "acme/api" }, { name: "acme/web" }] });
    const now = h.now();
    const measuredAt = now.toISOString();
    const branch = async (name: string, repository = "acme/api") =>
      (await seedEnvironment(h.registry, { kind: "branch", repository, branch: name }, "ready", now)).id;
    ids.busy = await branch("feature/checkout");
    ids.cheap = await branch("fix/typo");
    ids.idle = await branch("docs", "acme/web");
    ids.unmeasured = await branch("just-created");
    ids.sandbox = (
      await seedEnvironment(
        h.registry,
        { kind: "sandbox", repository: "acme/web", owner: "octocat", branch: "main" },
        "ready",
        now,
      )
    ).id;
    // A month of traffic with a busy week, and a quiet day at the end.
    const daily = Array.from({ length: 30 }, (_, i) =>
      i >= 20 && i < 27 ? 0.05 + i * 0.004 : i % 3 === 0 ? 0.002 : 0.0004,
    );
    await seedCost(
      h.registry,
      ids.busy,
      {
        measuredAt,
        last30dUsd: daily.reduce((a, b) => a + b, 0),
        last24hUsd: 0.0004,
        lifeUsd: 1.4,
        idleMonthlyUsd: 0.0012,
      },
      daily,
    );
    await seedCost(
      h.registry,
      ids.cheap,
      { measuredAt, last30dUsd: 0.0003, last24hUsd: 0.00001, lifeUsd: 0.0003, idleMonthlyUsd: 0.00004 },
      [0.0001, 0, 0.0002],
    );
    await seedCost(h.registry, ids.idle, { measuredAt, last30dUsd: 0, idleMonthlyUsd: 0 });
    await seedCost(
      h.registry,
      ids.sandbox,
      { measuredAt, last30dUsd: 0.021, last24hUsd: 0.003, estimated: true, idleMonthlyUsd: 0.0000005 },
      [0.01, 0.008, 0.003],
    );
    baseUrl = await h.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const costCell = (name: string) =>
    page.locator("tbody tr", { hasText: name }).locator('td[data-label="Cost, 30 days"]');

  it("shows a cost column with the other figures in its title, and sorts it by following a link", async () => {
    await page.goto(`${baseUrl}/`);
    expect(await costCell("api-fix-typo").locator("abbr").textContent()).toBe("$0.0003");
    expect(await costCell("api-fix-typo").locator("abbr").getAttribute("title")).toContain("last 24 h $0.00001");
    expect(await costCell("web-docs").textContent()).toContain("idle costs nothing");
    expect(await costCell("api-just-created").textContent()).toBe("not measured yet");
    expect(await costCell("web-sb-octocat").locator(".estimated").isVisible()).toBe(true);
    await shot("list");
    // The cell fits its figures on the row: no cell wider than the viewport forces a scroll.
    const width = await page.evaluate<number>("document.querySelector('.table-wrap').scrollWidth");
    expect(width).toBeLessThanOrEqual(1280);

    await page.getByRole("link", { name: "Cost, 30 days", exact: true }).click();
    await page.waitForURL(/sort=cost/);
    const names = await page.locator('tbody td[data-label="Name"]').allTextContents();
    expect(names.map((n) => n.trim().replace(/-[0-9a-f]{8}$/, ""))).toEqual([
      "api-feature-checkout",
      "web-sb-octocat",
      "api-fix-typo",
      "web-docs",
      "api-just-created",
    ]);
    expect(await page.locator('th[aria-sort="descending"]').count()).toBe(1);
    await shot("list-sorted");
  });

  it("sums the cost per repository and per owner in small tables", async () => {
    await page.goto(`${baseUrl}/`);
    const perRepository = page.locator("table.totals", { hasText: "Per repository" });
    expect(await perRepository.locator("tr", { hasText: "acme/api" }).textContent()).toContain("$1.02");
    const perOwner = page.locator("table.totals", { hasText: "Per owner" });
    expect(await perOwner.locator("tr", { hasText: "octocat" }).locator(".estimated").count()).toBe(1);
    await page.locator("section.cost-totals").screenshot({ path: path.join(shots, "totals.png") });
  });

  it("turns the table into cards on a phone, the cost labelled", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/`);
    const label = await page.evaluate<string>(
      `getComputedStyle(document.querySelector('tbody td[data-label="Cost, 30 days"]'), "::before").content`,
    );
    expect(label).toBe('"Cost, 30 days"');
    await shot("list-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("draws the daily chart on the environment's page, named for screen readers, the figures also as text", async () => {
    await page.goto(`${baseUrl}/environments/${ids.busy}`);
    const chart = page.getByRole("img", { name: "Daily cost, last 30 days" });
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(60);
    expect(await page.locator("svg rect.bar").count()).toBe(30);
    // The tallest bar is the costliest day's, and reaches the plot's top.
    const heights = await page
      .locator("svg rect.bar")
      .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("height"))));
    expect(Math.max(...heights)).toBe(heights[26]);
    expect(await page.locator("figure.cost-chart figcaption").textContent()).toContain("the costliest day");
    await page.locator("details.cost-days summary").click();
    expect(await page.locator("table.days tbody tr").count()).toBe(30);
    await page
      .locator('section[aria-labelledby="cost-heading"]')
      .screenshot({ path: path.join(shots, "detail-chart.png") });

    await page.goto(`${baseUrl}/environments/${ids.cheap}`);
    await page
      .locator('section[aria-labelledby="cost-heading"]')
      .screenshot({ path: path.join(shots, "detail-chart-cheap.png") });
    await page.goto(`${baseUrl}/environments/${ids.unmeasured}`);
    expect(await page.locator('section[aria-labelledby="cost-heading"]').textContent()).toContain("Not measured yet");
  });

  it("shows the platform's own cost on a page of its own", async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole("link", { name: "The platform's own cost" }).click();
    await page.waitForURL(/\/cost$/);
    expect(await page.locator("h1").textContent()).toBe("The platform's own cost");
    expect(await page.locator("table.platform-cost tbody tr").count()).toBe(3);
    expect(
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Platform cost" })
        .getAttribute("aria-current"),
    ).toBe("page");
    await shot("platform-cost");
  });
});
