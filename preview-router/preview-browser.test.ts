import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveCopy } from "../stacks/service/local/serve-copy.ts";
import { launchChromium } from "../test/support/launch-chromium.ts";
import { type PreviewHarness, startPreviewHarness } from "../test/support/preview-harness.ts";
import { runCli } from "../test/support/run-cli.ts";
import { seedEnvironment } from "../test/support/seed-environment.ts";
import { useSqliteStores } from "../test/support/sqlite-stores.ts";

// Chromium resolves every *.localhost name to loopback by itself: the preview address of the
// embedded default works with no DNS set up (https://www.rfc-editor.org/rfc/rfc6761#section-6.3).
describe("a preview in a real browser, and a share link from the CLI", () => {
  const stores = useSqliteStores();
  const now = () => new Date();
  const dataDir = mkdtempSync(path.join(tmpdir(), "stackfork-preview-browser-"));
  let copy: Awaited<ReturnType<typeof serveCopy>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    copy = await serveCopy({
      dataDir,
      port: 0,
      env: {
        TABLE_NAME: "shop-demo-items",
        STACKFORK_ENVIRONMENT: "shop-demo",
        STACKFORK_REPOSITORY: "acme/shop",
        STACKFORK_BRANCH: "demo",
        STACKFORK_COMMIT: "def5678",
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await copy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const withHarness = async (run: (h: PreviewHarness) => Promise<void>) => {
    const h = await startPreviewHarness({
      registry: stores.registry,
      queue: stores.queue,
      repositories: [{ name: "acme/shop" }, { name: "acme/private", previewAccess: "link" }],
      now,
    });
    try {
      await run(h);
    } finally {
      await h.close();
    }
  };

  it("opens http://<name>.localhost:<port>/ and sees the copy", async () => {
    await withHarness(async (h) => {
      const env = await seedEnvironment(
        stores.registry,
        { kind: "branch", repository: "acme/shop", branch: "demo" },
        "ready",
        now(),
        {
          url: copy.url,
        },
      );
      const page = await browser.context.newPage();
      const response = await page.goto(`http://${env.name}.localhost:${h.port}/`);
      expect(response?.status()).toBe(200);
      expect(JSON.parse((await page.textContent("body")) ?? "")).toMatchObject({
        environment: "shop-demo",
        commit: "def5678",
      });

      const missing = await page.goto(`http://no-such-preview.localhost:${h.port}/`);
      expect(missing?.status()).toBe(404);
      expect(await page.textContent("h1")).toBe("No such preview");
      await page.click("text=no-such-preview on the stackfork dashboard");
      expect(page.url()).toBe(`${h.dashboardUrl}/environments/no-such-preview`);
      await page.close();
    });
  });

  it("stackfork share prints a link alone on its last line; the browser opening it gets the copy and a cookie for that host", async () => {
    await withHarness(async (h) => {
      const env = await seedEnvironment(
        stores.registry,
        { kind: "branch", repository: "acme/private", branch: "demo" },
        "ready",
        now(),
        { url: copy.url },
      );
      const page = await browser.context.newPage();
      expect((await page.goto(`http://${env.name}.localhost:${h.port}/`))?.status()).toBe(403);
      expect(await page.textContent("body")).toContain(`stackfork share ${env.name}`);

      const cli = await runCli(["share", env.name, "--hours", "3"], {
        STACKFORK_URL: h.dashboardUrl,
        STACKFORK_API_TOKEN: "preview-test-token",
      });
      expect(cli.code, cli.stderr).toBe(0);
      const link = cli.stdout.trim().split("\n").at(-1) ?? "";
      expect(link).toMatch(new RegExp(`^http://${env.name}\\.localhost:${h.port}/\\?stackfork-share=\\S+$`));

      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(page.url()).toBe(`http://${env.name}.localhost:${h.port}/`);
      expect(JSON.parse((await page.textContent("body")) ?? "")).toMatchObject({ environment: "shop-demo" });
      const cookies = await browser.context.cookies();
      const share = cookies.find((c) => c.name === "stackfork_preview");
      expect(share).toMatchObject({ domain: `${env.name}.localhost`, httpOnly: true, sameSite: "Lax", path: "/" });

      const revoked = await runCli(["share", env.name, "--revoke"], {
        STACKFORK_URL: h.dashboardUrl,
        STACKFORK_API_TOKEN: "preview-test-token",
      });
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await page.reload())?.status()).toBe(403);
      await page.close();
    });
  });

  it("the environment page's Share button makes a link; Revoke share links voids it", async () => {
    await withHarness(async (h) => {
      const env = await seedEnvironment(
        stores.registry,
        { kind: "branch", repository: "acme/private", branch: "button" },
        "ready",
        now(),
        { url: copy.url },
      );
      const page = await browser.context.newPage();
      await page.goto(`${h.dashboardUrl}/login?next=${encodeURIComponent(`/environments/${env.id}`)}`);
      await page.getByLabel("API token").fill("preview-test-token");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(new RegExp(`/environments/${env.id}$`));
      // The page shows the routed address as the environment's url.
      expect(await page.locator(`a[href^="http://${env.name}.localhost:${h.port}"]`).count()).toBeGreaterThan(0);

      await page.getByLabel("Share the preview for (hours)").fill("2");
      await page.getByRole("button", { name: "Share", exact: true }).click();
      const link = await page.locator("#share-link").inputValue();
      expect(link.startsWith(`http://${env.name}.localhost:${h.port}/?stackfork-share=`)).toBe(true);

      const preview = await browser.context.newPage();
      expect((await preview.goto(link))?.status()).toBe(200);
      expect(JSON.parse((await preview.textContent("body")) ?? "")).toMatchObject({ environment: "shop-demo" });

      await page.goto(`${h.dashboardUrl}/environments/${env.id}`);
      await page.getByRole("button", { name: "Revoke share links" }).click();
      await page.waitForURL(/done=unshared/);
      expect((await preview.reload())?.status()).toBe(403);
      await preview.close();
      await page.close();
    });
  });
});
